from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from publicity import selectors
from publicity.models import Showcase


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
        return ["home", "publicity:home", "publicity:showcases", "activities:list"]

    def location(self, item: str) -> str:
        return reverse(item)


class ShowcaseSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Showcase.objects.filter(
            is_listed=True, approved_at__isnull=False
        ).order_by("pk")

    def lastmod(self, item):
        return item.approved_at
