"""Enterprise showcases: a member edits the page, staff approve it, the public sees it.

The member's steps go through their page (/news/showcases/mine/), the staff's through
the review page, the public's through the showcase list and pages, as each would.
"""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from chamber.models import OutgoingMessage
from publicity import services, showcases
from publicity.models import Article, ArticleKind, Picture, Showcase, ShowcasePhoto
from tests.factories import EnterpriseFactory, MemberFactory
from tests.support.pages import as_user
from tests.support.pictures import (
    GIF,
    NOT_PICTURES,
    PICTURES_ONLY,
    PICTURES_OR_PDF,
    png,
)
from tests.support.words import zh

S = Showcase.Status
MINE = reverse("publicity:my_showcase")
LIST = reverse("publicity:showcases")
REVIEW = reverse("publicity:review_showcases")
FIRST = "甲公司专注精密铸件二十年，服务辽南装备制造企业。"
SECOND = "甲公司新建智能化铸造车间，年产能翻番。"


def shown(msgid: str, **values) -> str:
    """The Chinese of a message as the page holds it: filled in, then HTML-escaped."""
    return escape(zh(msgid) % values if values else zh(msgid))


def photo(name: str = "车间.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content)


def form(
    introduction: str = FIRST, *, submit: bool = True, listed: bool = True, **more
):
    """What the member's browser sends: the fields, files and the button pressed."""
    data = {"introduction": introduction, "products": "", "website": "", **more}
    if listed:
        data["is_listed"] = "on"
    data["submit" if submit else "save"] = ""
    return data


def html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member(alice) -> Client:
    return as_user(alice.user)


@pytest.fixture
def staff_client(staff) -> Client:
    return as_user(staff)


@pytest.fixture
def approved(alice, member, staff):
    """Alice's showcase with FIRST and two photos, approved by staff."""
    member.post(MINE, form(FIRST, new_photos=[photo("一.png"), photo("二.png")]))
    found = Showcase.objects.get(enterprise=alice.enterprise)
    return showcases.approve_showcase(showcase=found, actor=staff)


def showcase_url(showcase: Showcase) -> str:
    return reverse("publicity:showcase", args=[showcase.pk])


# --- the member sends, staff approve, the public sees -----------------------------------


def test_a_showcase_is_public_only_once_staff_approve_it(
    client, alice, member, staff_client
):
    assert member.get(MINE).status_code == 200

    sent = member.post(
        MINE,
        form(
            FIRST,
            products="球墨铸铁件\n铸钢件",
            website="https://jia.example.cn/",
            new_photos=[photo("车间.png"), photo("产品.gif", GIF)],
        ),
        follow=True,
    )

    assert sent.redirect_chain == [(MINE, 302)]
    assert shown("Sent to the chamber's staff for approval.") in html(sent)
    showcase = Showcase.objects.get(enterprise=alice.enterprise)
    assert showcase.status == S.PENDING and showcase.approved_at is None
    photos = list(showcase.photos.all())
    assert [p.content_type for p in photos] == ["image/png", "image/gif"]
    # Not on the site yet, however it is asked for.
    assert client.get(showcase_url(showcase)).status_code == 404
    assert FIRST not in html(client.get(LIST))
    for p in photos:
        assert client.get(p.get_absolute_url()).status_code == 404

    review = staff_client.get(REVIEW)
    assert FIRST in html(review) and "球墨铸铁件<br>铸钢件" in html(review)
    for p in photos:
        assert p.get_absolute_url() in html(review)
    approved = staff_client.post(
        reverse("publicity:approve_showcase", args=[showcase.pk]), follow=True
    )

    assert shown("%(name)s's showcase is on the site.", name="甲公司") in html(approved)
    assert zh("Nothing waits for approval.") in html(approved)
    page = client.get(showcase_url(showcase))
    assert page.status_code == 200
    assert FIRST in html(page) and "球墨铸铁件<br>铸钢件" in html(page)
    assert 'href="https://jia.example.cn/"' in html(page)
    assert "<title>甲公司" in html(page)
    for p in photos:
        assert p.get_absolute_url() in html(page)
        served = client.get(p.get_absolute_url())
        assert served.status_code == 200
        assert served["Cache-Control"] == "public, max-age=86400"
    listing = html(client.get(LIST))
    assert "甲公司" in listing and showcase_url(showcase) in listing
    assert photos[0].get_absolute_url() in listing  # the first photo on its card
    assert zh("See the public page") in html(member.get(MINE))


def test_a_later_edit_waits_for_approval_and_the_site_keeps_the_approved_text(
    client, approved, member, staff, staff_client
):
    old_photos = list(approved.photos.all())

    member.post(MINE, form(SECOND, new_photos=[photo("新车间.png")]))

    approved.refresh_from_db()
    new_photo = approved.photos.get(is_approved=False)
    assert approved.status == S.PENDING
    page = html(client.get(showcase_url(approved)))
    assert FIRST in page and SECOND not in page
    assert all(p.get_absolute_url() in page for p in old_photos)
    assert new_photo.get_absolute_url() not in page
    assert client.get(new_photo.get_absolute_url()).status_code == 404
    review = html(staff_client.get(REVIEW))
    assert SECOND in review
    assert zh("Text on the site now") in review and FIRST in review
    assert zh("new") in review

    staff_client.post(reverse("publicity:approve_showcase", args=[approved.pk]))

    page = html(client.get(showcase_url(approved)))
    assert SECOND in page and FIRST not in page
    assert new_photo.get_absolute_url() in page
    assert client.get(new_photo.get_absolute_url()).status_code == 200


def test_a_draft_saved_without_sending_stays_off_the_site(
    client, approved, member, staff_client
):
    member.post(MINE, form(SECOND, submit=False), follow=True)

    approved.refresh_from_db()
    assert approved.status == S.DRAFT
    assert FIRST in html(client.get(showcase_url(approved)))
    assert SECOND not in html(client.get(showcase_url(approved)))
    assert SECOND not in html(staff_client.get(REVIEW))  # nothing sent to review
    response = staff_client.post(
        reverse("publicity:approve_showcase", args=[approved.pk]), follow=True
    )
    assert zh("Only a showcase waiting for approval can be approved.") in html(response)
    assert SECOND not in html(client.get(showcase_url(approved)))


def test_staff_return_a_showcase_with_a_note_the_member_reads(
    client, approved, member, staff_client
):
    member.post(MINE, form(SECOND))
    note = "请补充企业地址和联系电话，照片请换成清晰的厂区照片。"

    empty = staff_client.post(
        reverse("publicity:return_showcase", args=[approved.pk]),
        {"note": "   "},
        follow=True,
    )
    approved.refresh_from_db()
    assert approved.status == S.PENDING
    assert zh("Say what the members should change.") in html(empty)

    returned = staff_client.post(
        reverse("publicity:return_showcase", args=[approved.pk]),
        {"note": note},
        follow=True,
    )

    assert shown("%(name)s's showcase was returned.", name="甲公司") in html(returned)
    approved.refresh_from_db()
    assert (approved.status, approved.review_note) == (S.RETURNED, note)
    mine = html(member.get(MINE))
    assert shown("The chamber's staff ask:") in mine and note in mine
    assert SECOND in mine  # the member's text is kept to be corrected
    # The site keeps the last approved page meanwhile.
    assert FIRST in html(client.get(showcase_url(approved)))
    # Sending again takes the note away from the page and back to review.
    member.post(MINE, form(SECOND + "地址：西市区。"))
    assert note not in html(member.get(MINE))
    assert SECOND in html(staff_client.get(REVIEW))


def test_the_staff_note_stays_while_the_member_saves_drafts_of_the_fix(
    approved, member, staff
):
    member.post(MINE, form(SECOND))
    note = "请补充企业地址和联系电话。"
    showcases.return_showcase(showcase=approved, actor=staff, note=note)

    member.post(MINE, form(SECOND + "地址：", submit=False))  # half done, saved

    assert note in html(member.get(MINE))


def test_unlisting_takes_the_page_off_at_once_without_approval(
    client, approved, member
):
    photos = list(approved.photos.all())

    member.post(MINE, form(FIRST, submit=False, listed=False))

    assert client.get(showcase_url(approved)).status_code == 404
    assert showcase_url(approved) not in html(client.get(LIST))
    assert showcase_url(approved) not in html(client.get(reverse("sitemap")))
    for p in photos:
        assert client.get(p.get_absolute_url()).status_code == 404
        assert member.get(p.get_absolute_url()).status_code == 200  # theirs still


def test_removing_a_photo_deletes_it_and_its_file(
    client, approved, member, django_capture_on_commit_callbacks, settings
):
    first, second = approved.photos.all()
    path = first.file.path

    with django_capture_on_commit_callbacks(execute=True):
        member.post(MINE, form(FIRST, submit=False, remove_photos=[first.pk]))

    assert list(approved.photos.all()) == [second]
    assert client.get(first.get_absolute_url()).status_code == 404
    assert not (settings.MEDIA_ROOT / path).exists()


# --- one enterprise's member and another's -------------------------------------------------


def test_a_member_edits_only_their_own_enterprises_showcase(approved, bob):
    other = as_user(bob.user)
    page = html(other.get(MINE))
    assert "乙公司" in page and FIRST not in page

    other.post(MINE, form("乙公司的简介"))

    approved.refresh_from_db()
    assert approved.introduction == FIRST and approved.status == S.APPROVED
    assert (
        Showcase.objects.get(enterprise=bob.enterprise).introduction == "乙公司的简介"
    )


def test_a_member_cannot_remove_another_enterprises_photo(approved, bob):
    other = as_user(bob.user)
    other.post(MINE, form("乙公司的简介"))
    theirs = approved.photos.first()

    before = Showcase.objects.get(enterprise=bob.enterprise).introduction

    response = other.post(MINE, form("乙公司改过的简介", remove_photos=[theirs.pk]))

    assert response.status_code == 404  # as if that photo did not exist
    assert ShowcasePhoto.objects.filter(pk=theirs.pk).exists()
    assert Showcase.objects.get(enterprise=bob.enterprise).introduction == before


def test_only_staff_review_approve_and_return(approved, member, bob):
    member.post(MINE, form(SECOND))
    other = as_user(bob.user)

    assert member.get(REVIEW).status_code == 403
    for name in ("approve_showcase", "return_showcase"):
        url = reverse(f"publicity:{name}", args=[approved.pk])
        assert member.post(url, {"note": "x"}).status_code == 403
        assert other.post(url, {"note": "x"}).status_code == 403
        assert Client().post(url, {"note": "x"}).status_code == 302  # to log in
    approved.refresh_from_db()
    assert approved.status == S.PENDING and approved.public_introduction == FIRST


def test_a_visitor_must_log_in_to_edit_and_staff_have_no_showcase_page(client, staff):
    response = client.get(MINE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert as_user(staff).get(MINE).status_code == 403


def test_photos_waiting_for_approval_are_seen_by_their_members_and_staff_only(
    client, alice, member, bob, staff_client
):
    member.post(MINE, form(FIRST, new_photos=[photo()]))
    waiting = ShowcasePhoto.objects.get()
    url = waiting.get_absolute_url()

    assert client.get(url).status_code == 404
    assert as_user(bob.user).get(url).status_code == 404
    assert (
        as_user(MemberFactory(enterprise=EnterpriseFactory()).user).get(url).status_code
        == 404
    )
    colleague = as_user(MemberFactory(enterprise=alice.enterprise).user)
    for viewer in (member, colleague, staff_client):
        response = viewer.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    assert (
        client.get(reverse("publicity:showcase_photo", args=[999999])).status_code
        == 404
    )


# --- what is refused, and nothing lost -------------------------------------------------------


def test_more_than_six_photos_in_one_go_are_refused_and_the_text_stays(member):
    response = member.post(
        MINE, form(FIRST, new_photos=[photo(f"{i}.png") for i in range(7)])
    )

    assert response.status_code == 400
    assert zh("Attach at most %(n)d files.") % {"n": 6} in html(response)
    assert FIRST in html(response)  # still in the form
    assert not Showcase.objects.exists() and not ShowcasePhoto.objects.exists()


def test_photos_beyond_six_in_all_are_refused_and_nothing_is_lost(approved, member):
    member.post(MINE, form(FIRST, submit=False, new_photos=[photo(), photo()]))
    assert approved.photos.count() == 4
    before = set(approved.photos.values_list("pk", flat=True))

    response = member.post(
        MINE,
        form(SECOND, new_photos=[photo("五.png"), photo("六.png"), photo("七.png")]),
    )

    assert response.status_code == 400
    assert zh("A showcase holds at most %(n)d photos; remove some first.") % {
        "n": 6
    } in html(response)
    assert SECOND in html(response)  # the new text is still in the form
    assert set(approved.photos.values_list("pk", flat=True)) == before
    approved.refresh_from_db()
    assert approved.introduction == FIRST and approved.status == S.DRAFT


def test_removing_one_makes_room_for_another_up_to_six(approved, member):
    member.post(MINE, form(FIRST, submit=False, new_photos=[photo(), photo(), photo()]))
    assert approved.photos.count() == 5
    gone = approved.photos.first()

    response = member.post(
        MINE,
        form(
            FIRST,
            remove_photos=[gone.pk],
            new_photos=[photo("甲.png"), photo("乙.png")],
        ),
    )

    assert response.status_code == 302
    assert approved.photos.count() == 6
    assert not approved.photos.filter(pk=gone.pk).exists()


@pytest.mark.parametrize("kind", ["svg", "html"])
def test_a_renamed_svg_or_html_photo_is_refused_with_the_chinese_message(member, kind):
    content = NOT_PICTURES[kind][1]

    response = member.post(MINE, form(FIRST, new_photos=[photo("photo.png", content)]))

    page = html(response)
    assert response.status_code == 400
    assert any(
        zh("%(name)s: %(error)s") % {"name": "photo.png", "error": zh(refusal)} in page
        for refusal in (PICTURES_ONLY, PICTURES_OR_PDF)
    )
    assert FIRST in page
    assert not ShowcasePhoto.objects.exists() and not Picture.objects.exists()


def test_a_website_that_is_not_a_web_address_is_refused(member):
    response = member.post(MINE, form(FIRST, website="javascript:alert(1)"))

    assert response.status_code == 400
    assert not Showcase.objects.exists()


# --- the staff's dashboard, the sitemap, articles, and queries -------------------------------


def test_the_staff_dashboard_shows_how_many_showcases_wait(staff_client, staff):
    for status in (S.PENDING, S.PENDING, S.PENDING, S.APPROVED, S.RETURNED, S.DRAFT):
        Showcase.objects.create(
            enterprise=EnterpriseFactory(), introduction="简介", status=status
        )

    page = html(staff_client.get(reverse("staff_dashboard")))

    link = re.search(
        rf'<a[^>]*href="{REVIEW}"[^>]*>\s*{re.escape(zh("Showcases to approve"))}\s*'
        r'<span class="badge[^"]*">(\d+)</span>',
        page,
    )
    assert link and link.group(1) == "3"


def test_an_approved_showcase_is_in_the_sitemap_and_a_pending_one_is_not(
    client, approved, bob
):
    as_user(bob.user).post(MINE, form("乙公司的简介"))
    pending = Showcase.objects.get(enterprise=bob.enterprise)

    xml = html(client.get(reverse("sitemap")))

    assert f"http://testserver{showcase_url(approved)}</loc>" in xml
    assert showcase_url(pending) not in xml
    assert f"http://testserver{LIST}</loc>" in xml


def test_the_showcase_lists_the_enterprises_articles_and_an_article_links_to_it(
    client, approved, alice, staff
):
    kind = ArticleKind.objects.get(code="exemplary")
    article = services.publish_article(
        article=Article.objects.create(
            kind=kind, title="优企案例：甲公司的转型之路", enterprise=alice.enterprise
        ),
        actor=staff,
    )
    Article.objects.create(kind=kind, title="草稿：甲公司", enterprise=alice.enterprise)

    page = html(client.get(showcase_url(approved)))
    story = html(client.get(reverse("publicity:article", args=[article.pk])))

    assert "优企案例：甲公司的转型之路" in page and "草稿：甲公司" not in page
    assert f'<a href="{showcase_url(approved)}">甲公司</a>' in story


def test_a_member_finds_their_showcase_from_the_enterprise_page(alice, member):
    own = html(member.get(reverse("members:enterprise", args=[alice.enterprise.pk])))

    assert f'href="{MINE}"' in own


def _showcases(count: int, photos: int = 2) -> list[Showcase]:
    made = []
    for n in range(count):
        showcase = Showcase.objects.create(
            enterprise=EnterpriseFactory(),
            introduction=f"第{n}家企业的简介",
            public_introduction=f"第{n}家企业的简介",
            status=S.APPROVED,
            approved_at=timezone.now(),
        )
        for i in range(photos):
            ShowcasePhoto.objects.create(
                showcase=showcase,
                file=f"publicity/showcases/{n}-{i}.png",
                original_name=f"{i}.png",
                content_type="image/png",
                size=100,
                is_approved=True,
            )
        made.append(showcase)
    return made


def _queries(client, url: str) -> int:
    """The queries of building the page (not of serving it from the page cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_showcase_list_takes_the_same_queries_for_2_and_20_showcases(client, db):
    _showcases(2)
    few = _queries(client, LIST)
    _showcases(18, photos=3)

    many = _queries(client, LIST)

    assert html(client.get(LIST)).count('class="card h-100') == 20
    assert many == few


def test_a_showcase_page_takes_the_same_queries_with_more_photos_and_articles(
    client, staff
):
    small, large = _showcases(1, photos=1)[0], _showcases(1, photos=6)[0]
    kind = ArticleKind.objects.get(code="exemplary")
    cover = Picture.objects.create(
        file="publicity/images/c.png",
        original_name="c.png",
        content_type="image/png",
        size=1,
    )
    for n, showcase in ((1, small), (10, large)):
        for i in range(n):
            services.publish_article(
                article=Article.objects.create(
                    kind=kind,
                    title=f"案例{i}",
                    enterprise=showcase.enterprise,
                    cover=cover,
                ),
                actor=staff,
            )

    assert _queries(client, showcase_url(large)) == _queries(
        client, showcase_url(small)
    )
    assert html(client.get(showcase_url(large))).count(cover.get_absolute_url()) == 10


def test_the_review_page_takes_the_same_queries_for_1_and_10_waiting(staff_client):
    def waiting(count: int) -> None:
        for showcase in _showcases(count, photos=3):
            Showcase.objects.filter(pk=showcase.pk).update(
                status=S.PENDING, submitted_at=timezone.now()
            )

    waiting(1)
    few = _queries(staff_client, REVIEW)
    waiting(9)

    many = _queries(staff_client, REVIEW)

    assert html(staff_client.get(REVIEW)).count(zh("Approve and publish")) == 10
    assert many == few


# --- the members hear of the decision -------------------------------------------------


def test_the_members_are_told_in_chinese_when_staff_approve_or_return_the_showcase(
    alice, member, staff, django_capture_on_commit_callbacks, mailoutbox
):
    member.post(MINE, form(FIRST))
    found = Showcase.objects.get(enterprise=alice.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        showcases.approve_showcase(showcase=found, actor=staff)

    (approved_mail,) = mailoutbox
    assert approved_mail.to == [alice.user.email]
    assert approved_mail.subject == shown(
        "The showcase of %(enterprise)s is published", enterprise="甲公司"
    )
    assert MINE in approved_mail.body

    member.post(MINE, form(SECOND))
    note = "请补充企业地址和联系电话。"
    with django_capture_on_commit_callbacks(execute=True):
        showcases.return_showcase(showcase=found, actor=staff, note=note)

    returned_mail = mailoutbox[1]
    assert returned_mail.subject == shown(
        "The showcase of %(enterprise)s needs changes", enterprise="甲公司"
    )
    assert note in returned_mail.body and note in returned_mail.alternatives[0][0]
    assert sorted(OutgoingMessage.objects.values_list("kind", "status")) == [
        ("showcase-approved", "sent"),
        ("showcase-returned", "sent"),
    ]
