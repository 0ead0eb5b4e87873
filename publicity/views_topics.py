"""每月一题 in the publicity week: staff draft an article from a monthly topic
(publicity/topic_articles.py), then edit and publish it in the administration."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber.decorators import staff_required
from petitions.models import MonthlyTopic
from publicity import topic_articles


@require_POST
@staff_required
def topic_article(request: HttpRequest, pk: int) -> HttpResponse:
    """The topic's draft article (made once), opened in the administration to edit."""
    topic = get_object_or_404(MonthlyTopic, pk=pk)
    article = topic_articles.draft_topic_article(topic=topic, actor=request.user)
    messages.success(
        request,
        _("The draft article of the topic is ready: edit it, then publish it."),
    )
    return redirect("admin:publicity_article_change", article.pk)
