"""`{% campaign_articles campaign %}`: the published articles of a campaign, on the
campaign page that activities owns (publicity adds its part; activities never imports
publicity, DESIGN.md "Apps and their layers")."""

from django import template

from publicity import selectors

register = template.Library()

# The campaign page lists this many of the newest articles.
CAMPAIGN_ARTICLES = 30


@register.inclusion_tag("publicity/includes/campaign_articles.html")
def campaign_articles(campaign) -> dict:
    """The newest published articles of `campaign` (an activities.Campaign): one query."""
    articles = (
        selectors.published_articles()
        .filter(campaign=campaign)
        .order_by("-published_at", "-pk")[:CAMPAIGN_ARTICLES]
    )
    return {"articles": list(articles)}
