"""The campaign page: activities owns it, publicity adds the campaign's articles through
its `{% campaign_articles %}` tag (activities never imports publicity; issue 17, item 7).

The page must read as before: the campaign, its activities, then its published articles,
newest first, in a constant number of queries, with the articles inside the cached part.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Campaign
from publicity.models import Article, ArticleKind
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    today = timezone.localdate()
    return Campaign.objects.create(
        kind=Campaign.Kind.PUBLICITY_WEEK,
        name="西市区民营企业宣传周",
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )


def article(campaign, title: str, *, days_ago: int = 1, **kwargs) -> Article:
    return Article.objects.create(
        kind=ArticleKind.objects.get(code="policy"),
        title=title,
        campaign=campaign,
        status=kwargs.pop("status", Article.Status.PUBLISHED),
        published_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def get(client, campaign: Campaign) -> str:
    with translation.override("zh-hans"):
        response = client.get(
            reverse("activities:campaign", args=[campaign.pk]),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_page_lists_the_activities_then_the_published_articles_newest_first(
    client, campaign
):
    ActivityFactory(title="惠企政策宣讲会", campaign=campaign)
    older = article(campaign, "宣传周开幕", days_ago=3, summary="开幕式在工商联举行")
    newer = article(campaign, "税费优惠政策解读", days_ago=1)
    article(campaign, "宣传周草稿", status=Article.Status.DRAFT)
    article(None, "另一条新闻")

    html = get(client, campaign)

    activities = html.index('<h2 class="h5">活动</h2>')
    articles = html.index('<h2 class="h5 mt-4">文章</h2>')
    assert activities < html.index("惠企政策宣讲会") < articles
    assert articles < html.index("税费优惠政策解读") < html.index("宣传周开幕")
    assert "开幕式在工商联举行" in html
    assert reverse("publicity:article", args=[newer.pk]) in html
    assert reverse("publicity:article", args=[older.pk]) in html
    assert "宣传周草稿" not in html and "另一条新闻" not in html


def test_a_campaign_without_articles_says_none_yet(client, campaign):
    html = get(client, campaign)

    assert html.count("暂无。") == 2  # no activities, no articles
    assert html.index("暂无。") < html.index("文章") < html.rindex("暂无。")


def test_the_page_shows_the_newest_thirty_articles(client, campaign):
    for n in range(32):
        article(campaign, f"第{n:02d}篇", days_ago=n + 1)

    html = get(client, campaign)

    assert "第00篇" in html and "第29篇" in html
    assert "第30篇" not in html and "第31篇" not in html


def test_the_page_takes_the_same_queries_with_more_activities_and_articles(
    client, campaign
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, campaign)
        return len(captured)

    ActivityFactory(campaign=campaign)
    article(campaign, "一")
    campaign.get_kind_display()  # the method's lists: read once, then from the cache
    few = queries()
    for n in range(6):
        ActivityFactory(campaign=campaign)
        article(campaign, f"更多{n}")
    # Adding rows bumped the public site's content version: the page is built again.
    many = queries()

    assert many == few


def test_the_articles_are_part_of_the_cached_page(client, campaign):
    article(campaign, "宣传周开幕")
    get(client, campaign)  # builds the cached part
    article_table = Article._meta.db_table

    with CaptureQueriesContext(connection) as captured:
        html = get(client, campaign)

    assert "宣传周开幕" in html
    assert not [q for q in captured if article_table in q["sql"]]
