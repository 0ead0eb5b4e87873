"""每月一题 in the publicity week: a draft article from a monthly topic and its result.

Petitions keeps the topic (petitions/topics.py) and never imports publicity; publicity
reads the topic, writes the draft, and tells petitions the article's id
(`topics.record_article`, which records it on the topic's record). Staff edit the draft
and publish it in the administration, as any article.

The article names no enterprise and no petition: only the topic, its departments, its
problems, its tasks and what came of them, and how many petitions it covered.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from activities.models import Campaign
from chamber.models import User
from petitions import topics
from petitions.models import MonthlyTopic
from publicity.models import Article, ArticleKind

# The kind of a topic's article (publicity/migrations/0002_article_kinds.py).
TOPIC_ARTICLE_KIND = ("news", "新闻动态")


@transaction.atomic
def draft_topic_article(
    *, topic: MonthlyTopic, actor: User, now: datetime | None = None
) -> Article:
    """The topic's draft article; once: asked again, the same draft is returned."""
    now = now or timezone.now()
    topic = (
        MonthlyTopic.objects.select_for_update(of=("self",))
        .select_related("lead_department")
        .get(pk=topic.pk)
    )
    if topic.article_id is not None:
        existing = Article.objects.filter(pk=topic.article_id).first()
        if existing is not None:
            return existing
    code, name = TOPIC_ARTICLE_KIND
    kind, _created = ArticleKind.objects.get_or_create(
        code=code, defaults={"name": name}
    )
    today = timezone.localdate(now)
    # The portal's public texts are in its first language, whoever drafts them.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Monthly topic: %(title)s") % {"title": topic.title}
        body = _body(topic, topics.topic_page(topic))
    summary = topic.result or " ".join(topic.problem_lines())
    article = Article.objects.create(
        kind=kind,
        title=Truncator(title).chars(200),
        summary=Truncator(summary).chars(300),
        body=body,
        campaign=Campaign.objects.filter(
            kind=Campaign.Kind.PUBLICITY_WEEK, starts_on__lte=today, ends_on__gte=today
        )
        .order_by("starts_on", "pk")
        .first(),
        created_by=actor,
        created_at=now,
    )
    topics.record_article(topic=topic, article_id=article.pk, actor=actor, now=now)
    return article


def _body(topic: MonthlyTopic, page: dict) -> str:
    """The draft's text: the topic, its problems, what was done, its result. Built here
    rather than from a template: the article is data staff edit, not a page."""
    departments = pgettext("list separator", ", ").join(
        d.name for d in page["departments"]
    )
    facts = [
        _("The chamber's topic for %(month)s, led by %(lead)s.")
        % {"month": f"{topic.month:%Y-%m}", "lead": topic.lead_department.name}
    ]
    if departments:
        facts.append(_("Co-operating: %(names)s.") % {"names": departments})
    count = len(page["petitions"])
    facts.append(
        ngettext(
            "It grew out of %(n)s petition of the district's enterprises.",
            "It grew out of %(n)s petitions of the district's enterprises.",
            count,
        )
        % {"n": count}
    )
    separator = pgettext("punctuation", ": ")
    parts = [
        format_html("<p>{}</p>", " ".join(facts)),
        format_html("<h2>{}</h2>", _("The problems")),
        format_html(
            "<ol>{}</ol>",
            format_html_join(
                "", "<li>{}</li>", ((line,) for line in topic.problem_lines())
            ),
        ),
        format_html("<h2>{}</h2>", _("What was done")),
        format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>{}{}{}{}</li>",
                (
                    (
                        task.text,
                        pgettext("punctuation", " ("),
                        task.in_charge,
                        pgettext("punctuation", ")"),
                        f"{separator}{task.done_note}" if task.done_note else "",
                    )
                    for task in page["tasks"]
                ),
            ),
        ),
    ]
    if topic.result:
        parts += [
            format_html("<h2>{}</h2>", _("The result")),
            linebreaks(topic.result, autoescape=True),
        ]
    return "\n".join(parts)
