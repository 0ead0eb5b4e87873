"""RSS and Atom feeds of the published articles, all of them or one kind."""

import html

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext_lazy as _

from publicity import selectors
from publicity.models import ArticleKind

FEED_ITEMS = 30


class ArticlesFeed(Feed):
    title = _("Xishi District FIC: news and policies")
    description = _(
        "Policies that benefit firms, exemplary firms and business stories of Xishi District."
    )

    def get_object(self, request, code: str | None = None):
        return get_object_or_404(ArticleKind, code=code) if code else None

    def link(self, kind) -> str:
        return (
            reverse("publicity:kind", args=[kind.code])
            if kind
            else reverse("publicity:home")
        )

    def items(self, kind):
        articles = selectors.published_articles()
        if kind is not None:
            articles = articles.filter(kind=kind)
        return articles.order_by("-published_at", "-pk")[:FEED_ITEMS]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        # A feed's description is HTML to a reader: send the plain text escaped, so a
        # summary that looks like markup is shown as text and never runs.
        return escape(item.summary or html.unescape(strip_tags(item.body))[:200])

    def item_link(self, item) -> str:
        return reverse("publicity:article", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.kind.name]


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed
    subtitle = ArticlesFeed.description
