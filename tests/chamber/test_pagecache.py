"""The public site's cache (chamber/pagecache.py): fast for visitors, never stale after a
change, never one visitor's page for another."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign
from publicity import services
from publicity.models import Article, ArticleKind


@pytest.fixture
def policy(db):
    return ArticleKind.objects.get(code="policy")


def publish(kind, staff, title, **fields) -> Article:
    article = Article.objects.create(kind=kind, title=title, **fields)
    return services.publish_article(article=article, actor=staff)


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_visitor_gets_the_news_home_from_the_cache_without_touching_the_database(
    client, policy, staff, django_assert_num_queries
):
    publish(policy, staff, "稳岗补贴申领指南")
    client.get(reverse("publicity:home"))

    with django_assert_num_queries(0):
        response = client.get(reverse("publicity:home"))

    assert "稳岗补贴申领指南" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        lambda a: reverse("publicity:home"),
        lambda a: reverse("publicity:article", args=[a.pk]),
        lambda a: reverse("publicity:kind", args=["policy"]),
        lambda a: reverse("publicity:feed"),
        lambda a: reverse("publicity:showcases"),
        lambda a: reverse("sitemap"),
    ],
)
def test_every_cached_public_page_is_served_again_without_queries(
    client, policy, staff, django_assert_num_queries, url
):
    article = publish(policy, staff, "首台套保险补偿")
    first = client.get(url(article))

    with django_assert_num_queries(0):
        again = client.get(url(article))

    assert again.status_code == first.status_code == 200
    assert again.content.replace(b"\n", b"") != b""


def test_the_language_switcher_of_a_cached_page_still_passes_the_csrf_check(
    client, policy, staff
):
    from django.test import Client

    publish(policy, staff, "贷款贴息")
    Client().get(reverse("publicity:home"))  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(reverse("publicity:home"))
    switched = visitor.post(
        reverse("set_language"),
        {
            "language": "en",
            "next": reverse("publicity:home"),
            "csrfmiddlewaretoken": _token(page.content.decode()),
        },
    )

    assert switched.status_code == 302
    english = visitor.get(reverse("publicity:home")).content.decode()
    assert 'lang="en"' in english
    assert "News and policies" in english


def test_two_visitors_get_different_csrf_tokens_from_the_same_cached_page(
    policy, staff
):
    from django.test import Client

    first = Client().get(reverse("publicity:home"))
    second = Client().get(reverse("publicity:home"))

    assert _token(first.content.decode()) != _token(second.content.decode())
    assert "csrftoken" in second.cookies


def test_a_published_article_shows_at_once_on_the_cached_home_and_feed(
    client, policy, staff
):
    client.get(reverse("publicity:home"))
    client.get(reverse("publicity:feed"))

    publish(policy, staff, "企业上市挂牌奖励政策")

    assert (
        "企业上市挂牌奖励政策" in client.get(reverse("publicity:home")).content.decode()
    )
    assert (
        "企业上市挂牌奖励政策" in client.get(reverse("publicity:feed")).content.decode()
    )


def test_a_withdrawn_article_leaves_the_cached_pages_at_once(client, policy, staff):
    article = publish(policy, staff, "即将撤回的文章")
    assert (
        client.get(reverse("publicity:article", args=[article.pk])).status_code == 200
    )

    services.withdraw_article(article=article, actor=staff)

    assert (
        client.get(reverse("publicity:article", args=[article.pk])).status_code == 404
    )
    assert (
        "即将撤回的文章" not in client.get(reverse("publicity:home")).content.decode()
    )


def test_scheduled_publishing_shows_on_the_cached_home(client, policy, staff):
    from datetime import timedelta

    now = timezone.now()
    article = Article.objects.create(kind=policy, title="定时发布的政策")
    services.publish_article(
        article=article, actor=staff, at=now + timedelta(minutes=10), now=now
    )
    assert (
        "定时发布的政策" not in client.get(reverse("publicity:home")).content.decode()
    )

    services.publish_due_articles(now=now + timedelta(minutes=11))
    Article.objects.filter(pk=article.pk).update(published_at=now)

    assert "定时发布的政策" in client.get(reverse("publicity:home")).content.decode()


def test_a_campaign_change_shows_on_its_cached_page(client, staff):
    campaign = Campaign.objects.create(
        kind=Campaign.Kind.PUBLICITY_WEEK,
        name="企业宣传周",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    url = reverse("activities:campaign", args=[campaign.pk])
    client.get(url)

    campaign.description = "本周主题：惠企政策进企业"
    campaign.save()

    assert "本周主题：惠企政策进企业" in client.get(url).content.decode()


def test_a_logged_in_member_never_gets_the_visitors_copy(client, alice, policy, staff):
    from django.test import Client

    Client().get(reverse("publicity:home"))  # a visitor fills the cache
    client.force_login(alice.user)

    html = client.get(reverse("publicity:home")).content.decode()

    # Only a member's page offers the monthly news and names the user.
    assert reverse("publicity:news_settings") in html
    assert reverse("logout") in html


def test_chinese_and_english_visitors_each_get_their_own_cached_page(policy, staff):
    from django.test import Client

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("publicity:home"))
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("publicity:home"))
    chinese_again = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(
        reverse("publicity:home")
    )

    assert "新闻与政策" in chinese_again.content.decode()
    assert "News and policies" in english.content.decode()
    assert chinese.content.decode().count("新闻与政策") == (
        chinese_again.content.decode().count("新闻与政策")
    )


def test_favicon_ico_leads_to_the_portals_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
