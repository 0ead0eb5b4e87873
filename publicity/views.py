"""Publicity pages: the public site (articles by kind and tag, search), an official's digest
settings, and staff resending a failed digest."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Activity, Awareness
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from publicity import digests, selectors
from publicity.forms import DigestPreferenceForm
from publicity.models import ArticleKind, DigestDelivery, DigestPreference

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    """The public front page: the newest articles of each kind and the coming public activities."""
    from django.utils import timezone

    upcoming = list(
        Activity.objects.published()
        .filter(is_public=True, starts_at__gte=timezone.now())
        .select_related("platform")
        .order_by("starts_at")[:5]
    )
    context = {"kinds": selectors.latest_by_kind(), "upcoming": upcoming}
    return render(request, "publicity/home.html", context)


def _list(
    request: HttpRequest, articles, heading: str, feed_url: str = ""
) -> HttpResponse:
    page = Paginator(articles.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "heading": heading, "feed_url": feed_url}
    return render(request, "publicity/article_list.html", context)


def by_kind(request: HttpRequest, code: str) -> HttpResponse:
    from django.urls import reverse

    kind = get_object_or_404(ArticleKind, code=code)
    articles = selectors.published_articles().filter(kind=kind)
    return _list(
        request, articles, kind.name, reverse("publicity:kind_feed", args=[kind.code])
    )


def by_tag(request: HttpRequest, code: str) -> HttpResponse:
    awareness = get_object_or_404(Awareness, code=code)
    articles = selectors.published_articles().filter(awareness=awareness)
    return _list(request, articles, awareness.name)


def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        selectors.published_articles()
        .select_related("enterprise", "campaign")
        .prefetch_related("awareness"),
        pk=pk,
    )
    return render(request, "publicity/article_detail.html", {"article": found})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(
        selectors.search_articles(query).order_by("-published_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    from urllib.parse import urlencode

    q = " ".join(query.split())[:100]
    context = {"page": page, "q": q, "query_string": urlencode({"q": q})}
    return render(request, "publicity/search.html", context)


@role_required(Role.OFFICIAL, Role.LEADER)
def digest_settings(request: HttpRequest) -> HttpResponse:
    """What the weekly digest holds: the petitions always, the week's policies if wanted."""
    official = roles_of(request.user).official
    preference, _created = DigestPreference.objects.get_or_create(official=official)
    form = DigestPreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your digest settings were saved."))
        return redirect("publicity:digest_settings")
    recent = list(official.digest_deliveries.order_by("-week_start")[:8])
    return render(
        request, "publicity/digest_settings.html", {"form": form, "recent": recent}
    )


@require_POST
@staff_required
def resend_digest(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(DigestDelivery, pk=pk)
    digests.resend_digest(delivery=delivery)
    messages.success(request, _("The digest will be sent again."))
    return redirect("staff_dashboard")
