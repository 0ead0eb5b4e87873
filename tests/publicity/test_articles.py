"""Articles: the body is sanitised whatever is sent, and the workflow publishes once."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from publicity import services
from publicity.models import Article, ArticleKind

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">点击</a>',
    '<p style="background:url(javascript:alert(1))" onmouseover="alert(1)">文字</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<img src="https://tracker.example/pixel.gif">',
]


@pytest.fixture
def policy(db):
    return ArticleKind.objects.get(code="policy")


def article(kind, **kwargs) -> Article:
    return Article.objects.create(kind=kind, title="惠企政策：稳岗补贴", **kwargs)


@pytest.mark.parametrize("payload", XSS)
def test_no_script_survives_in_a_stored_body(policy, payload):
    stored = article(policy, body=f"<p>正文</p>{payload}").body

    lowered = stored.lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "tracker.example",
    ):
        assert bad not in lowered
    assert "<p>正文</p>" in stored


def test_formatting_and_safe_links_are_kept(policy):
    body = '<h2>申报条件</h2><ul><li>在营</li></ul><a href="https://www.yingkou.gov.cn/">原文</a><img src="/media/a.png" alt="图">'

    stored = article(policy, body=body).body

    assert "<h2>申报条件</h2><ul><li>在营</li></ul>" in stored
    assert (
        'href="https://www.yingkou.gov.cn/"' in stored
        and 'rel="noopener noreferrer"' in stored
    )
    assert '<img src="/media/a.png" alt="图">' in stored


def test_an_article_goes_from_draft_to_review_to_published(policy, staff):
    draft = article(policy)

    services.submit_for_review(article=draft, actor=staff)
    published = services.publish_article(article=draft, actor=staff)

    assert published.status == Article.Status.PUBLISHED
    assert Article.objects.published().filter(pk=draft.pk).exists()
    with pytest.raises(services.ArticleError):
        services.publish_article(article=draft, actor=staff)


def test_a_scheduled_article_is_published_by_the_task_once_its_time_comes(
    policy, staff
):
    now = timezone.make_aware(datetime.combine(date(2026, 11, 25), time(9)))
    later = now + timedelta(hours=2)
    draft = article(policy)

    scheduled = services.publish_article(article=draft, actor=staff, at=later, now=now)

    assert scheduled.status == Article.Status.SCHEDULED
    assert not Article.objects.published(now=now).filter(pk=draft.pk).exists()
    assert services.publish_due_articles(now=now + timedelta(hours=1)) == 0
    assert services.publish_due_articles(now=later) == 1
    assert services.publish_due_articles(now=later + timedelta(minutes=5)) == 0  # once
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_a_withdrawn_article_leaves_the_published_list(policy, staff):
    published = services.publish_article(article=article(policy), actor=staff)

    services.withdraw_article(article=published, actor=staff)

    assert not Article.objects.published().filter(pk=published.pk).exists()
    with pytest.raises(services.ArticleError):
        services.withdraw_article(article=published, actor=staff)
