"""Script payloads typed into any field never reach a reader in a form that runs.

Every field a person can type in, whoever they are (staff: an article's title, summary,
body, its kind and awareness tag names, a campaign's name; a member: their enterprise's
name, their showcase's text and website, a petition), is filled with a payload, and every
place that shows it is read as a browser, a feed reader or a mail reader reads it: the
raw payload is absent, the escaped text is there, and no element or attribute that runs
something (a script not of ours, an event handler, a javascript: address, an iframe, an
SVG, a picture from elsewhere) is found.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape as xml_escape

import feedparser
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activities.models import Awareness, Campaign
from members.models import Enterprise
from publicity import digests, services, showcases
from publicity.models import Article, ArticleKind, DigestDelivery, Showcase
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.db import kept_for_the_module
from tests.support.mail import assert_sent_through_the_outbox
from tests.support.pages import as_user
from tests.support.pictures import png
from tests.support.review_cycle import at, dispatched
from tests.support.smtp import rendered
from tests.support.xss import fit, runnable

# Every page with every payload, whatever the database: CI's embedded lane runs it.
pytestmark = pytest.mark.sweep(lane="embedded")

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "svg": "<svg onload=alert(1)>",
    "link": '<a href="javascript:alert(1)">点我</a>',
    "tracker": '<img src="https://evil.example/x.png">',
    "style": '<p style="background:url(javascript:alert(1))">样式</p>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
}
# A web address the URL field accepts that tries to break out of its attribute.
WEBSITE = 'https://jia.example.cn/"><script>alert(1)</script>'
MINE = reverse("publicity:my_showcase")


@dataclass
class World:
    payload: str
    kind: ArticleKind
    awareness: Awareness
    enterprise: Enterprise
    campaign: Campaign
    article: Article
    showcase: Showcase
    texts: dict[str, str] = field(default_factory=dict)

    def assert_safe(self, page: str, *shown: str) -> None:
        """No payload as typed, each shown text escaped, nothing that runs."""
        assert self.payload not in page
        for name, text in self.texts.items():
            assert text not in page, name
        for name in shown:
            assert escape(self.texts[name]) in page, name
        assert runnable(page) == []


@pytest.fixture(autouse=True, scope="module")
def _media(tmp_path_factory):
    """Uploads (the worlds' and each test's) go to a folder of this module."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module", params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def payload_world(payload, django_db_setup, django_db_blocker) -> World:
    """One world per payload, read by every test of the module (each in a savepoint)."""
    with kept_for_the_module(django_db_blocker):
        world = _build_world(payload, StaffFactory())
        assert_sent_through_the_outbox(mail.outbox)
        yield world


@pytest.fixture
def world(db, payload_world) -> World:
    return payload_world


def _build_world(payload: str, staff) -> World:
    """Everything carries the payload: an article published in a campaign, with its kind,
    tag and enterprise, and that enterprise's showcase (approved, with an edit waiting)."""
    today = timezone.localdate()
    texts = {
        "kind": fit(payload, 30),
        "awareness": fit(payload, 20),
        "enterprise": f"营口{payload}有限公司",
        "campaign": f"民营企业宣传周{payload}",
        "title": f"稳岗补贴{payload}",
        "summary": f"摘要{payload}",
        "introduction": f"简介{payload}",
        "products": f"产品{payload}",
        "new introduction": f"新简介{payload}",
        "new products": f"新产品{payload}",
        "website": WEBSITE,
    }
    kind = ArticleKind.objects.create(code="xss", name=texts["kind"], sort_order=0)
    awareness = Awareness.objects.create(code="xss", name=texts["awareness"])
    enterprise = EnterpriseFactory(name=texts["enterprise"])
    campaign = Campaign.objects.create(
        kind=Campaign.Kind.PUBLICITY_WEEK,
        name=texts["campaign"],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=6),
        description=f"说明{payload}",
    )
    article = Article.objects.create(
        kind=kind,
        title=texts["title"],
        summary=texts["summary"],
        body=f"<p>正文开头</p>{payload}<p>正文结尾</p>",
        enterprise=enterprise,
        campaign=campaign,
    )
    article.awareness.add(awareness)
    article = services.publish_article(article=article, actor=staff)

    member = as_user(MemberFactory(enterprise=enterprise).user)
    sent = member.post(
        MINE,
        {
            "introduction": texts["introduction"],
            "products": texts["products"],
            "website": WEBSITE,
            "is_listed": "on",
            "new_photos": [SimpleUploadedFile("照片.png", png())],
            "submit": "",
        },
    )
    assert sent.status_code == 302, sent.content.decode()
    showcase = showcases.approve_showcase(
        showcase=Showcase.objects.get(enterprise=enterprise), actor=staff
    )
    member.post(
        MINE,
        {
            "introduction": texts["new introduction"],
            "products": texts["new products"],
            "website": WEBSITE,
            "is_listed": "on",
            "submit": "",
        },
    )
    return World(
        payload, kind, awareness, enterprise, campaign, article, showcase, texts
    )


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the public site ---------------------------------------------------------------------------


def test_the_public_home(client, world):
    page = get(client, reverse("publicity:home"))

    world.assert_safe(page, "title", "summary", "kind", "campaign")


def test_the_kind_list(client, world):
    page = get(client, reverse("publicity:kind", args=[world.kind.code]))

    world.assert_safe(page, "kind", "title", "summary")


def test_the_tag_list(client, world):
    page = get(client, reverse("publicity:tag", args=[world.awareness.code]))

    world.assert_safe(page, "awareness", "title", "summary")


def test_the_article_page(client, world):
    page = get(client, reverse("publicity:article", args=[world.article.pk]))

    world.assert_safe(
        page, "title", "summary", "kind", "awareness", "enterprise", "campaign"
    )
    assert "<p>正文开头</p>" in page and "<p>正文结尾</p>" in page


def test_the_search_results_and_the_search_box(client, world):
    found = get(client, reverse("publicity:search") + "?q=稳岗补贴")
    echoed = client.get(reverse("publicity:search"), {"q": world.payload})

    world.assert_safe(found, "title", "summary")
    assert echoed.status_code == 200
    page = echoed.content.decode()
    assert world.payload not in page and escape(world.payload) in page
    assert runnable(page) == []


def test_the_campaign_page(client, world):
    page = get(client, reverse("activities:campaign", args=[world.campaign.pk]))

    world.assert_safe(page, "campaign", "title", "summary")


def test_the_showcase_list(client, world):
    page = get(client, reverse("publicity:showcases"))

    world.assert_safe(page, "enterprise", "introduction")


def test_the_showcase_page(client, world):
    page = get(client, reverse("publicity:showcase", args=[world.showcase.pk]))

    world.assert_safe(page, "enterprise", "introduction", "products", "website")
    assert f'href="{escape(WEBSITE)}"' in page
    assert escape(world.texts["new introduction"]) not in page  # still waiting


def test_the_staff_review_page_and_the_members_own_page(world, staff):
    review = get(as_user(staff), reverse("publicity:review_showcases"))
    member = world.enterprise.members.first()
    own = get(as_user(member.user), MINE)

    world.assert_safe(
        review,
        "enterprise",
        "new introduction",
        "new products",
        "introduction",  # the text on the site now
        "website",
    )
    world.assert_safe(own, "enterprise", "new introduction", "new products", "website")


def test_the_sitemap_carries_addresses_only(client, world):
    xml = get(client, reverse("sitemap"))

    world.assert_safe(xml)
    assert escape(world.payload) not in xml


# --- feeds: what a feed reader renders -----------------------------------------------------------


FEEDS = ["publicity:feed", "publicity:atom"]


def test_the_feeds_parse_and_carry_the_titles_escaped(client, world):
    feeds = {
        "rss": get(client, reverse("publicity:feed")),
        "kind rss": get(client, reverse("publicity:kind_feed", args=[world.kind.code])),
        "atom": get(client, reverse("publicity:atom")),
    }

    for name, xml in feeds.items():
        assert world.payload not in xml, name
        assert xml_escape(world.texts["title"]) in xml, name  # as XML text
        parsed = feedparser.parse(xml, sanitize_html=False)
        assert not parsed.bozo, name
        (entry,) = parsed.entries
        assert entry.title == world.texts["title"], name
    # Atom says what the title is: text, shown as typed, never run.
    atom = feedparser.parse(feeds["atom"], sanitize_html=False)
    assert atom.entries[0].title_detail.type == "text/plain"


@pytest.mark.parametrize("name", FEEDS)
def test_a_feed_readers_description_holds_nothing_that_runs(client, world, name):
    parsed = feedparser.parse(get(client, reverse(name)), sanitize_html=False)

    (entry,) = parsed.entries
    assert entry.summary_detail.type == "text/html"
    # What the reader renders as HTML: the summary as text, with nothing that runs.
    assert runnable(entry.summary) == []
    assert escape(world.texts["summary"]) in entry.summary


def test_a_description_made_from_the_body_holds_nothing_that_runs(client, world):
    """Without a summary the description is the body's text: nothing that runs there."""
    Article.objects.filter(pk=world.article.pk).update(summary="")

    for name in FEEDS:
        parsed = feedparser.parse(get(client, reverse(name)), sanitize_html=False)
        (entry,) = parsed.entries
        assert "正文开头" in entry.summary and "正文结尾" in entry.summary
        assert runnable(entry.summary) == []


# --- the weekly digest e-mail -----------------------------------------------------------------------


WEEK = date(2026, 3, 23)  # a Monday, as in test_digests.py


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_the_weekly_digest_email_in_html_and_text(staff, payload):
    official = OfficialFactory()
    enterprise = EnterpriseFactory(name=f"营口{payload}有限公司")
    petition = dispatched(
        staff,
        official.department,
        due_on=date(2026, 3, 26),
        sign=True,
        enterprise=enterprise,
        title=f"诉求{payload}",
    )
    policy = services.publish_article(
        article=Article.objects.create(
            kind=ArticleKind.objects.get(code="policy"),
            title=f"惠企政策{payload}",
            summary=f"摘要{payload}",
            body=f"<p>正文</p>{payload}",
        ),
        actor=staff,
        now=at(date(2026, 3, 20), 10),
    )
    delivery = DigestDelivery.objects.create(
        official=official, week_start=WEEK, kind=DigestDelivery.Kind.DEPARTMENT
    )

    message = rendered(digests.build_message(delivery, now=at(WEEK, 9)), official.user)

    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    texts = (petition.title, enterprise.name, policy.title)
    for text in texts:
        assert text not in html and escape(text) in html
    assert payload not in html
    assert runnable(html) == []
    # Plain text is shown as text: as typed, never with HTML escapes in it.
    for text in texts:
        assert text in message.body
    assert "&lt;" not in message.body and "&quot;" not in message.body
    assert payload not in message.subject


# --- the campaign page lists its articles ----------------------------------------------------------


def test_a_campaign_page_lists_its_published_articles_only(client, staff):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        kind=Campaign.Kind.PUBLICITY_WEEK,
        name="西市区民营企业宣传周",
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    other = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name="服务月",
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    policy = ArticleKind.objects.get(code="policy")
    published = services.publish_article(
        article=Article.objects.create(
            kind=policy, title="宣传周开幕", summary="开幕式", campaign=campaign
        ),
        actor=staff,
    )
    Article.objects.create(kind=policy, title="宣传周草稿", campaign=campaign)
    services.publish_article(
        article=Article.objects.create(kind=policy, title="服务月启动", campaign=other),
        actor=staff,
    )

    page = get(client, reverse("activities:campaign", args=[campaign.pk]))
    home = get(client, reverse("publicity:home"))

    assert "宣传周开幕" in page and "开幕式" in page
    assert reverse("publicity:article", args=[published.pk]) in page
    assert "宣传周草稿" not in page and "服务月启动" not in page
    assert campaign.get_absolute_url() in home and "西市区民营企业宣传周" in home
