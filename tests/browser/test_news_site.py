"""The news site on a phone, and the article editor of the admin on a desktop.

A visitor opens the public home on a phone (390 × 844, Chinese), reads an article with
its cover, and looks at an enterprise's showcase with its photos. A member of staff writes
an article in the admin's rich-text editor, makes a word bold and puts a picture in it;
once published, the public article shows both. Labels are looked up in their zh-hans
translation (the English msgid while a string is not translated yet).
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from chamber.uploads import check_picture
from publicity import services, showcases
from publicity.models import Article, ArticleKind, Showcase, ShowcasePhoto
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    DutyShiftFactory,
    MemberFactory,
    StaffFactory,
)
from tests.support.pictures import png
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
KINDS = [
    ("policy", "惠企政策"),
    ("exemplary", "优企案例"),
    ("story", "西市商业风云"),
    ("news", "新闻动态"),
]
TITLE = "稳岗补贴申领指南：符合条件的中小企业可按规定申领"
BODY = "依法参加失业保险并足额缴纳失业保险费的企业，可申领稳岗返还。"
INTRODUCTION = "营口辽河装备制造有限公司专注精密铸件二十年，服务辽南装备制造企业。"


def kinds() -> dict[str, ArticleKind]:
    """Transactional tests empty the seeded kinds: make them again where they are gone."""
    return {
        code: ArticleKind.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": n}
        )[0]
        for n, (code, name) in enumerate(KINDS)
    }


def picture(name: str, rgb: tuple[int, int, int]):
    upload = SimpleUploadedFile(name, png(64, 40, rgb))
    return services.store_picture(upload=upload, actor=None)


def publish(kind, staff, title: str, **fields) -> Article:
    article = Article.objects.create(kind=kind, title=title, **fields)
    return services.publish_article(article=article, actor=staff)


def loaded(locator) -> bool:
    """The picture was fetched and decoded (a broken picture has naturalWidth 0)."""
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function("img => img.complete", arg=locator.element_handle())
    return locator.evaluate("img => img.naturalWidth > 0")


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def news(db):
    """Two articles of each kind (the newest of the policies with a cover), this week's
    representative on duty, a coming public activity and an approved showcase."""
    staff = StaffFactory()
    found = kinds()
    for code, kind in found.items():
        publish(kind, staff, f"{kind.name}：第一篇", summary="摘要一")
        publish(
            kind,
            staff,
            TITLE if code == "policy" else f"{kind.name}：第二篇",
            summary="符合条件的企业可申领稳岗补贴。" if code == "policy" else "",
            body=f"<p>{BODY}</p>" if code == "policy" else "<p>正文</p>",
            cover=picture("封面.png", (30, 90, 160)) if code == "policy" else None,
        )
    shift = DutyShiftFactory(
        representative__user__full_name="刘志远",
        representative__enterprise__name="营口鲅鱼圈港务有限公司",
    )
    activity = ActivityFactory(
        title="惠企政策宣讲会", starts_at=timezone.now() + timedelta(days=3)
    )
    member = MemberFactory(enterprise__name="营口辽河装备制造有限公司")
    showcase = showcases.save_showcase(
        showcase=Showcase(enterprise=member.enterprise, introduction=INTRODUCTION),
        actor=member.user,
        photos=[
            check_picture(SimpleUploadedFile("车间.png", png(80, 60, (180, 60, 40)))),
            check_picture(SimpleUploadedFile("产品.png", png(80, 60, (40, 140, 60)))),
        ],
        remove_photo_ids=[],
        submit=True,
    )
    showcase = showcases.approve_showcase(showcase=showcase, actor=staff)
    return {"kinds": found, "shift": shift, "activity": activity, "showcase": showcase}


# --- a visitor on a phone ---------------------------------------------------------------------


def test_the_public_home_and_an_article_on_a_phone(watched_page, live_server, news):
    page = watched_page

    page.goto(f"{live_server.url}/news/")

    expect(page.get_by_role("heading", level=1)).to_have_text(zh("News and policies"))
    for kind in news["kinds"].values():
        section = page.get_by_role("region", name=kind.name)
        expect(section.get_by_role("link", name=kind.name, exact=True)).to_be_visible()
        expect(section.locator("li.list-group-item")).to_have_count(2)
    duty = page.get_by_role("region", name=zh("On duty this week"))
    expect(duty).to_contain_text("刘志远")
    expect(duty).to_contain_text("营口鲅鱼圈港务有限公司")
    coming = page.get_by_role("region", name=zh("Coming activities"))
    expect(
        coming.get_by_role("link", name=re.compile("惠企政策宣讲会"))
    ).to_be_visible()
    thumb = page.locator("li.list-group-item").filter(has_text=TITLE).locator("img")
    assert loaded(thumb)
    no_horizontal_scroll(page)

    page.get_by_role("link", name=TITLE).click()

    article = Article.objects.get(title=TITLE)
    page.wait_for_url(f"{live_server.url}/news/articles/{article.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page).to_have_title(re.compile(re.escape(TITLE)))
    cover = page.locator("article img.article-cover")
    expect(cover).to_have_attribute("src", article.cover.get_absolute_url())
    assert loaded(cover)
    expect(page.locator(".article-body")).to_have_text(BODY)
    og_image = page.locator('meta[property="og:image"]')
    expect(og_image).to_have_attribute(
        "content", f"{live_server.url}{article.cover.get_absolute_url()}"
    )
    no_horizontal_scroll(page)
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_the_showcases_and_a_showcase_with_its_photos_on_a_phone(
    watched_page, live_server, news
):
    page = watched_page
    showcase = news["showcase"]

    page.goto(f"{live_server.url}/news/")
    page.get_by_role("link", name=zh("Enterprise showcases")).click()
    page.wait_for_url(f"{live_server.url}/news/showcases/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh("Enterprise showcases")
    )
    card = page.locator("a.card").filter(has_text="营口辽河装备制造有限公司")
    assert loaded(card.locator("img"))
    no_horizontal_scroll(page)

    card.click()

    page.wait_for_url(f"{live_server.url}/news/showcases/{showcase.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "营口辽河装备制造有限公司"
    )
    expect(page.locator("article")).to_contain_text(INTRODUCTION)
    photos = page.locator("article img")
    expect(photos).to_have_count(2)
    for n in range(2):
        assert loaded(photos.nth(n))
    assert sorted(
        photos.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    ) == sorted(p.get_absolute_url() for p in ShowcasePhoto.objects.all())
    no_horizontal_scroll(page)
    assert page.console_errors == []
    assert page.foreign_requests == []


# --- staff write an article in the admin on a desktop ---------------------------------------


@pytest.fixture
def desktop(browser, live_server):
    """A desktop window in Chinese, recording console errors and CSP reports."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    page.problems = []

    def on_console(msg) -> None:
        # Django's admin pages name no icon: Chromium asks for /favicon.ico, the site has none.
        if msg.location.get("url", "").endswith("/favicon.ico"):
            return
        if msg.type == "error" or "Content Security Policy" in msg.text:
            page.problems.append(f"{msg.text} {msg.location.get('url', '')}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    yield page
    context.close()


def test_staff_write_an_article_with_bold_text_and_a_picture_in_the_editor(
    desktop, live_server
):
    page = desktop
    policy = kinds()["policy"]
    staff = StaffFactory(username="xuanchuan")

    page.goto(f"{live_server.url}/accounts/login/?next=/admin/publicity/article/add/")
    page.get_by_label(zh("Username")).fill("xuanchuan")
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{live_server.url}/admin/publicity/article/add/")

    editor = page.locator(".ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    page.locator("#id_kind").select_option(str(policy.pk))
    page.locator("#id_title").fill("企业用工补贴政策解读")
    editor.click()
    page.keyboard.type("补贴标准：")
    page.locator(".prose-menubar__button").filter(has_text="format_bold").first.click()
    page.keyboard.type("每人每月五百元")
    expect(editor.locator("strong")).to_have_text("每人每月五百元")

    with page.expect_response(re.compile(r"/news/pictures/$")) as sent:
        page.locator(".article-editor-tools input[type=file]").set_input_files(
            {"name": "宣讲会现场.png", "mimeType": "image/png", "buffer": png(120, 80)}
        )
    assert sent.value.status == 201
    inserted = editor.locator("img")
    expect(inserted).to_have_count(1)
    expect(inserted).to_have_attribute(
        "src", re.compile(r"^/news/pictures/[0-9a-f-]{36}/$")
    )
    assert loaded(inserted)
    expect(page.locator(".article-editor-status")).to_have_text(
        zh("The picture is in the text.")
    )

    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{live_server.url}/admin/publicity/article/")

    article = Article.objects.get(title="企业用工补贴政策解读")
    assert "<strong>每人每月五百元</strong>" in article.body
    services.publish_article(article=article, actor=staff)
    page.goto(f"{live_server.url}/news/articles/{article.pk}/")
    body = page.locator(".article-body")
    expect(body).to_contain_text("补贴标准：每人每月五百元")
    expect(body.locator("strong")).to_have_text("每人每月五百元")
    shown = body.locator("img")
    expect(shown).to_have_count(1)
    assert loaded(shown)
    assert page.problems == []
