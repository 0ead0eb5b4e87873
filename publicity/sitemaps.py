"""The public site's sitemap and its route: publicity owns `/sitemap.xml`, which
chamber/urls.py includes by name (`include("publicity.sitemaps")`), so chamber never
imports publicity (DESIGN.md, apps and their layers)."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import path, reverse

from chamber.pagecache import whole_response
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


urlpatterns = [
    path(
        "sitemap.xml",
        whole_response(sitemap_view),
        {
            "sitemaps": {
                "pages": PublicPagesSitemap,
                "articles": ArticleSitemap,
                "showcases": ShowcaseSitemap,
            }
        },
        name="sitemap",
    ),
]
