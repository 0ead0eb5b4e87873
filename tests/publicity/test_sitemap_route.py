"""/sitemap.xml is publicity's own route, included by chamber/urls.py by name (issue 17,
item 7): the address, its name and what it lists stay as they were."""

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from publicity.models import Article, ArticleKind

pytestmark = pytest.mark.django_db


def test_the_sitemap_keeps_its_address_and_lists_the_public_pages_and_articles(client):
    article = Article.objects.create(
        kind=ArticleKind.objects.get(code="news"),
        title="工商联召开执委会",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )

    response = client.get("/sitemap.xml")

    assert reverse("sitemap") == "/sitemap.xml"
    assert resolve("/sitemap.xml").url_name == "sitemap"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    xml = response.content.decode()
    for path in (
        reverse("home"),
        reverse("publicity:home"),
        reverse("publicity:showcases"),
        reverse("activities:list"),
        reverse("publicity:article", args=[article.pk]),
    ):
        assert f"<loc>http://testserver{path}</loc>" in xml, path
    assert "<lastmod>" in xml
