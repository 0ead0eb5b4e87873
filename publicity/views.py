"""Publicity pages: the public site (articles by kind and tag, search), an official's digest
settings, and staff resending a failed digest."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Awareness
from chamber import pagecache
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from chamber.text import search_words
from chamber.uploads import picture_response
from publicity import digests, selectors, services
from publicity.forms import DigestPreferenceForm
from publicity.models import ArticleKind, DigestDelivery, DigestPreference, Picture

PAGE_SIZE = 20


@pagecache.anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    """The public front page: the newest articles of each kind, the coming public activities
    and the campaigns running; its main part is cached (chamber/pagecache.py)."""
    body = pagecache.fragment(
        "home",
        build=lambda: render_to_string(
            "publicity/includes/home_body.html", selectors.home_contents(), request
        ),
    )
    return render(request, "publicity/home.html", {"body": body})


def _list(
    request: HttpRequest, articles, heading: str, key: str, feed_url: str = ""
) -> HttpResponse:
    number = request.GET.get("page", "1")[:10]

    def build() -> str:
        page = Paginator(articles.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(
            number
        )
        context = {"page": page, "heading": heading, "feed_url": feed_url}
        return render_to_string(
            "publicity/includes/article_list_body.html", context, request
        )

    body = pagecache.fragment("list", key, number, build=build)
    context = {"body": body, "heading": heading, "feed_url": feed_url}
    return render(request, "publicity/article_list.html", context)


@pagecache.anonymous_page
def by_kind(request: HttpRequest, code: str) -> HttpResponse:
    kind = get_object_or_404(ArticleKind, code=code)
    articles = selectors.published_articles().filter(kind=kind)
    feed_url = reverse("publicity:kind_feed", args=[kind.code])
    return _list(request, articles, kind.name, f"kind:{kind.pk}", feed_url)


@pagecache.anonymous_page
def by_tag(request: HttpRequest, code: str) -> HttpResponse:
    awareness = get_object_or_404(Awareness, code=code)
    articles = selectors.published_articles().filter(awareness=awareness)
    return _list(request, articles, awareness.name, f"tag:{awareness.pk}")


@pagecache.anonymous_page
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """One published article: one query for it, its body part cached."""
    found = get_object_or_404(
        selectors.published_articles().select_related(
            "enterprise__showcase", "campaign"
        ),
        pk=pk,
    )
    body = pagecache.fragment(
        "article",
        found.pk,
        build=lambda: render_to_string(
            "publicity/includes/article_body.html", {"article": found}, request
        ),
    )
    return render(
        request, "publicity/article_detail.html", {"article": found, "body": body}
    )


@pagecache.anonymous_page
def search(request: HttpRequest) -> HttpResponse:
    """Search the published articles; the results of a query are cached like the lists.

    One scan per query: the matches' keys (at most SEARCH_LIMIT) are paged in Python and
    only the page's articles are read, so there is no separate COUNT over every body.
    """
    q = search_words(request.GET.get("q", ""), limit=100)
    number = request.GET.get("page", "1")[:10]

    def build() -> str:
        keys = list(
            selectors.search_articles(q)
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[: selectors.SEARCH_LIMIT + 1]
        )
        page = Paginator(keys[: selectors.SEARCH_LIMIT], PAGE_SIZE).get_page(number)
        found = selectors.published_articles().in_bulk(list(page.object_list))
        page.object_list = [found[pk] for pk in page.object_list if pk in found]
        context = {
            "page": page,
            "q": q,
            "query_string": urlencode({"q": q}),
            "too_many": len(keys) > selectors.SEARCH_LIMIT,
        }
        return render_to_string(
            "publicity/includes/search_results.html", context, request
        )

    body = pagecache.fragment("search", q, number, build=build) if q else ""
    return render(request, "publicity/search.html", {"q": q, "body": body})


@require_POST
@staff_required
def picture_upload(request: HttpRequest) -> JsonResponse:
    """The editor's "Insert picture": store the picture, answer with its address."""
    upload = request.FILES.get("picture")
    if upload is None:
        return JsonResponse({"error": _("Choose a picture to upload.")}, status=400)
    try:
        picture = services.store_picture(upload=upload, actor=request.user)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse(
        {"url": picture.get_absolute_url(), "name": picture.original_name}, status=201
    )


def picture(request: HttpRequest, key) -> HttpResponse:
    """An article picture; its address never changes, so browsers may keep it for a year."""
    found = get_object_or_404(Picture, key=key)
    return picture_response(found, cache_control="public, max-age=31536000, immutable")


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
    recent = list(
        official.digest_deliveries.select_related("message").order_by("-week_start")[:8]
    )
    return render(
        request, "publicity/digest_settings.html", {"form": form, "recent": recent}
    )


@require_POST
@staff_required
def resend_digest(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff send a failed digest again: its message, through the outbox."""
    delivery = get_object_or_404(DigestDelivery, pk=pk)
    if digests.resend_digest(delivery=delivery):
        messages.success(request, _("The digest will be sent again."))
    else:
        messages.info(
            request, _("The digest was not sent again: it was sent, or is on its way.")
        )
    return redirect("staff_dashboard")
