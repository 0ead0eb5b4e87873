"""The public site: only published articles, nothing unescaped, feeds a real reader parses."""

import feedparser
import pytest
from django.urls import reverse

from publicity import services
from publicity.models import Article, ArticleKind

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def kinds(db):
    return {k.code: k for k in ArticleKind.objects.all()}


def publish(kind, staff, **kwargs) -> Article:
    article = Article.objects.create(kind=kind, **kwargs)
    return services.publish_article(article=article, actor=staff)


def test_the_public_home_lists_published_articles_by_kind_and_hides_drafts(
    client, kinds, staff
):
    publish(kinds["policy"], staff, title="稳岗补贴申领指南")
    Article.objects.create(kind=kinds["policy"], title="草稿：尚未发布")

    html = client.get(reverse("publicity:home")).content.decode()

    assert "稳岗补贴申领指南" in html
    assert "草稿：尚未发布" not in html


def test_a_draft_or_withdrawn_article_is_404_to_the_public(client, kinds, staff):
    draft = Article.objects.create(kind=kinds["news"], title="草稿")
    withdrawn = publish(kinds["news"], staff, title="已撤回")
    services.withdraw_article(article=withdrawn, actor=staff)

    assert client.get(reverse("publicity:article", args=[draft.pk])).status_code == 404
    assert (
        client.get(reverse("publicity:article", args=[withdrawn.pk])).status_code == 404
    )


@pytest.mark.parametrize("field", ["title", "summary", "body"])
def test_a_payload_in_any_field_never_reaches_the_page_or_the_feed_unescaped(
    client, kinds, staff, field
):
    fields = {
        "title": "标题",
        "summary": "摘要",
        "body": "<p>正文</p>",
        field: f"x{PAYLOAD}",
    }
    article = publish(kinds["policy"], staff, **fields)

    pages = [
        client.get(reverse("publicity:article", args=[article.pk])),
        client.get(reverse("publicity:home")),
        client.get(reverse("publicity:search") + "?q=x"),
        client.get(reverse("publicity:feed")),
        client.get(reverse("publicity:atom")),
    ]

    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert "<script>" not in text
        assert "<img src=x onerror" not in text


def test_the_feeds_parse_and_list_only_published_articles(client, kinds, staff):
    publish(kinds["policy"], staff, title="融资政策解读", summary="贷款贴息")
    publish(kinds["story"], staff, title="西市商业风云：老字号")
    Article.objects.create(kind=kinds["policy"], title="草稿政策")

    everything = feedparser.parse(client.get(reverse("publicity:feed")).content)
    policies = feedparser.parse(
        client.get(reverse("publicity:kind_feed", args=["policy"])).content
    )
    atom = feedparser.parse(client.get(reverse("publicity:atom")).content)

    assert not everything.bozo and not policies.bozo and not atom.bozo
    assert {e.title for e in everything.entries} == {
        "融资政策解读",
        "西市商业风云：老字号",
    }
    assert [e.title for e in policies.entries] == ["融资政策解读"]
    assert atom.version == "atom10" and len(atom.entries) == 2


def test_search_finds_published_articles_only(client, kinds, staff):
    publish(kinds["policy"], staff, title="稳岗补贴", body="<p>失业保险稳岗返还</p>")
    Article.objects.create(kind=kinds["policy"], title="稳岗草稿")

    html = client.get(reverse("publicity:search") + "?q=稳岗").content.decode()

    assert "稳岗补贴" in html and "稳岗草稿" not in html


def test_the_sitemap_lists_published_articles(client, kinds, staff):
    article = publish(kinds["news"], staff, title="新闻")
    draft = Article.objects.create(kind=kinds["news"], title="草稿")

    xml = client.get(reverse("sitemap")).content.decode()

    assert reverse("publicity:article", args=[article.pk]) in xml
    assert reverse("publicity:article", args=[draft.pk]) not in xml


def test_search_pages_through_many_matches_with_two_queries_whatever_their_number(
    client, kinds, staff, django_assert_num_queries
):
    for n in range(45):
        publish(kinds["policy"], staff, title=f"补贴政策第{n}号")
    publish(kinds["news"], staff, title="与搜索无关的新闻")

    with django_assert_num_queries(2):  # the matches' keys, then the page's articles
        first = client.get(reverse("publicity:search"), {"q": "补贴"}).content.decode()
    third = client.get(reverse("publicity:search"), {"q": "补贴", "page": 3})

    assert first.count('class="fw-semibold text-break"') == 20
    assert "补贴政策第44号" in first  # the newest first
    assert "与搜索无关的新闻" not in first
    assert third.content.decode().count('class="fw-semibold text-break"') == 5
    assert "第3页，共3页" in third.content.decode()


def test_a_search_with_too_many_matches_asks_for_another_word(
    client, kinds, staff, monkeypatch
):
    from publicity import selectors

    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 3)
    for n in range(5):
        publish(kinds["policy"], staff, title=f"融资政策{n}")

    html = client.get(reverse("publicity:search"), {"q": "融资"}).content.decode()

    assert html.count('class="fw-semibold text-break"') == 3
    assert "请再加一个词缩小范围" in html
