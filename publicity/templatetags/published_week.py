"""`{% published_this_week %}`: on a member's home page, the articles the chamber
published in the last seven days, newest first."""

from datetime import timedelta

from django import template
from django.utils import timezone

from publicity import selectors

register = template.Library()

# The home page names this many; the news site holds the rest.
SHOWN = 5


@register.inclusion_tag("publicity/includes/published_this_week.html")
def published_this_week() -> dict:
    """Articles published in the last seven days, at most SHOWN. One query."""
    now = timezone.now()
    articles = (
        selectors.published_articles()
        .filter(published_at__gt=now - timedelta(days=7))
        .defer("body")
        .order_by("-published_at", "-pk")[:SHOWN]
    )
    return {"articles": list(articles)}
