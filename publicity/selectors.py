"""Read queries of the public site: published articles only, with what a list row shows."""

from django.db.models import Q, QuerySet

from publicity.models import Article, ArticleKind

LATEST_PER_KIND = 4
# A search lists at most this many articles; more asks the reader to narrow it down.
SEARCH_LIMIT = 200


def published_articles() -> QuerySet[Article]:
    return Article.objects.published().select_related("kind", "cover")


def latest_by_kind() -> list[tuple[ArticleKind, list[Article]]]:
    """Each kind with its newest articles: one query for the kinds, one for the articles."""
    kinds = list(ArticleKind.objects.all())
    # The rows show no body: leave the longest column in the database.
    recent = list(
        published_articles().defer("body").order_by("-published_at", "-pk")[:80]
    )
    return [
        (kind, [a for a in recent if a.kind_id == kind.pk][:LATEST_PER_KIND])
        for kind in kinds
    ]


def search_articles(query: str) -> QuerySet[Article]:
    query = " ".join(query.split())[:100]
    if not query:
        return Article.objects.none()
    return published_articles().filter(
        Q(title__icontains=query)
        | Q(summary__icontains=query)
        | Q(body__icontains=query)
    )


def home_contents() -> dict:
    """What the news home shows: the kinds with their newest articles, five coming public
    activities and the campaigns that have not ended. Four queries."""
    from django.utils import timezone

    from activities.models import Activity, Campaign

    upcoming = list(
        Activity.objects.published()
        .filter(is_public=True, starts_at__gte=timezone.now())
        .select_related("platform", "series")
        .order_by("starts_at")[:5]
    )
    campaigns = list(
        Campaign.objects.filter(ends_on__gte=timezone.localdate()).order_by(
            "starts_on"
        )[:3]
    )
    return {"kinds": latest_by_kind(), "upcoming": upcoming, "campaigns": campaigns}
