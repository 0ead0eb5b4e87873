from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from publicity import selectors


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return selectors.published_articles().order_by("-published_at", "-pk")

    def location(self, item) -> str:
        return reverse("publicity:article", args=[item.pk])

    def lastmod(self, item):
        return item.published_at


class PublicPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["home", "publicity:home", "activities:list"]

    def location(self, item: str) -> str:
        return reverse(item)
