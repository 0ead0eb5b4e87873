"""A member's petition pages and the e-mailed rating link, through the real URLs.

Alice (甲公司) brings petitions and rates the answers; Bob (乙公司) must never reach them.
Pages are requested in Chinese; messages are compared with their zh-hans translation
(the English msgid while it is not translated yet).
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from petitions import review, services
from petitions.models import (
    Petition,
    PetitionAttachment,
    PetitionEvent,
    enterprise_petitions_changed,
)
from petitions.tokens import rating_token
from tests.factories import MemberFactory, PetitionFactory
from tests.support.member_pages import (
    ANSWER,
    TITLE,
    answered,
    category,
    link_for,
    submitted,
)
from tests.support.pages import shows, text
from tests.support.words import zh

S = Petition.Status
YINGKOU = ZoneInfo("Asia/Shanghai")
PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTML_PICTURE = b"<!doctype html><script>alert(document.cookie)</script>"


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def status_label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(Petition.Status(status).label)


# --- the list and the form ----------------------------------------------------------------


def test_my_petitions_lists_only_my_enterprises_petitions(client, alice, bob):
    PetitionFactory(enterprise=alice.enterprise, title="甲公司：厂区道路积水")
    PetitionFactory(enterprise=bob.enterprise, title="乙公司：用工招聘困难")
    client.force_login(alice.user)

    response = get(client, reverse("petitions:mine"))

    assert response.status_code == 200
    assert "甲公司：厂区道路积水" in text(response)
    assert "乙公司：用工招聘困难" not in text(response)


def test_a_colleague_of_the_same_enterprise_sees_the_petition_too(client, alice):
    petition = submitted(alice)
    colleague = MemberFactory(enterprise=alice.enterprise)
    client.force_login(colleague.user)

    assert TITLE in text(get(client, reverse("petitions:mine")))
    assert get(client, petition.get_absolute_url()).status_code == 200


def test_submitting_with_a_picture_leads_to_the_petition_and_its_number(
    client, alice, media
):
    client.force_login(alice.user)
    land = category("land")

    response = post(
        client,
        reverse("petitions:submit"),
        {
            "title": TITLE,
            "description": "新生产线用电需求增加，申请协调供电公司增容。",
            "category": land.pk,
            "contact_name": "王会计",
            "contact_phone": "13812345678",
            "files": [SimpleUploadedFile("配电室.png", PNG, content_type="image/png")],
        },
    )

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == petition.get_absolute_url()
    assert petition.enterprise == alice.enterprise
    assert petition.submitted_by == alice.user
    assert petition.channel == Petition.Channel.ONLINE
    assert petition.category == land
    assert petition.status == S.SUBMITTED
    assert re.fullmatch(rf"XS-{timezone.localdate().year}-0001", petition.number)
    attachment = petition.attachments.get()
    assert (attachment.original_name, attachment.content_type) == (
        "配电室.png",
        "image/png",
    )
    assert [p.read_bytes() for p in stored_files(media)] == [PNG]

    page = get(client, response["Location"])
    assert shows(
        page,
        zh(
            "Your petition %(number)s was received; the chamber studies it on the next working day."
        )
        % {"number": petition.number},
    )
    assert petition.number in text(page)
    assert "配电室.png" in text(page)
    assert reverse("petitions:attachment", args=[attachment.pk]) in text(page)


def test_an_html_file_named_like_a_picture_is_refused_and_nothing_is_saved(
    client, alice, media
):
    client.force_login(alice.user)

    response = post(
        client,
        reverse("petitions:submit"),
        {
            "title": TITLE,
            "description": "见附件照片。",
            "contact_name": "王会计",
            "contact_phone": "13812345678",
            "files": [
                SimpleUploadedFile(
                    "现场照片.png", HTML_PICTURE, content_type="image/png"
                )
            ],
        },
    )

    assert response.status_code == 200
    assert shows(
        response,
        zh(
            "Only pictures (PNG, JPEG, GIF, WebP) and PDF documents can be "
            "uploaded, and this file is neither, whatever its name says."
        ),
    )
    assert "现场照片.png" in text(response)
    assert not Petition.objects.exists()
    assert not PetitionAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_petition_without_a_title_is_not_saved(client, alice):
    client.force_login(alice.user)

    response = post(
        client, reverse("petitions:submit"), {"title": "", "description": "内容"}
    )

    assert response.status_code == 200
    assert not Petition.objects.exists()


# --- the petition page ------------------------------------------------------------------


def test_the_petition_page_shows_the_public_timeline_only(client, alice, staff):
    # Received on Monday 2 March 2026 and not triaged: Wednesday's daily study flags it.
    petition = submitted(alice, now=datetime(2026, 3, 2, 10, tzinfo=YINGKOU))
    review.run_daily_study(on=date(2026, 3, 4))
    services.add_note(
        petition=petition, actor=staff, note="内部备注：企业负责人沟通困难"
    )
    services.add_note(
        petition=petition, actor=staff, note="已电话联系企业了解情况", public=True
    )
    assert petition.events.filter(kind=PetitionEvent.Kind.TRIAGE_FLAG).exists()
    client.force_login(alice.user)

    page = text(get(client, petition.get_absolute_url()))

    assert "已电话联系企业了解情况" in page
    assert status_label(S.SUBMITTED) in page
    assert "内部备注" not in page
    assert escape(zh("not triaged in time")) not in page
    # Staff see the whole file on their page of it.
    client.force_login(staff)
    staff_page = text(
        get(client, reverse("petitions:staff_detail", args=[petition.pk]))
    )
    assert "内部备注" in staff_page
    assert escape(zh("not triaged in time")) in staff_page


def test_the_answer_is_shown_with_the_rating_form(client, alice, staff, official):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)

    page = get(client, petition.get_absolute_url())

    assert ANSWER in text(page)
    assert shows(page, zh("Are you satisfied with the answer?"))
    assert reverse("petitions:rate", args=[petition.pk]) in text(page)


def test_bob_cannot_open_rate_or_download_from_alices_petition(
    client, alice, bob, staff, official, media
):
    petition = answered(
        alice,
        staff,
        official,
        files=[SimpleUploadedFile("配电室.png", PNG, content_type="image/png")],
    )
    attachment = petition.attachments.get()
    client.force_login(bob.user)

    assert get(client, petition.get_absolute_url()).status_code == 404
    assert (
        post(
            client,
            reverse("petitions:rate", args=[petition.pk]),
            {"solved": "solved", "rating": "satisfied"},
        ).status_code
        == 404
    )
    assert (
        get(client, reverse("petitions:attachment", args=[attachment.pk])).status_code
        == 404
    )
    assert ANSWER not in text(get(client, reverse("petitions:mine")))
    petition.refresh_from_db()
    assert petition.status == S.REPLIED
    assert petition.rating == ""


def test_alice_downloads_her_attachment_as_a_file_not_a_page(client, alice, media):
    petition = submitted(
        alice, files=[SimpleUploadedFile("配电室.png", PNG, content_type="image/png")]
    )
    client.force_login(alice.user)

    response = get(
        client, reverse("petitions:attachment", args=[petition.attachments.get().pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_visitor_is_sent_to_log_in_and_gets_no_attachment(client, alice, media):
    petition = submitted(
        alice, files=[SimpleUploadedFile("配电室.png", PNG, content_type="image/png")]
    )

    detail = get(client, petition.get_absolute_url())

    assert detail.status_code == 302
    assert detail["Location"].startswith(reverse("login"))
    attachment = reverse("petitions:attachment", args=[petition.attachments.get().pk])
    download = get(client, attachment)
    assert download.status_code == 302
    assert download["Location"].startswith(reverse("login"))


# --- rating from the page --------------------------------------------------------------------


def test_rating_satisfied_from_the_page_closes_the_petition(
    client, alice, staff, official
):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)

    response = post(
        client,
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "solved", "rating": "satisfied"},
    )

    assert response.status_code == 302
    assert response["Location"] == petition.get_absolute_url()
    petition.refresh_from_db()
    assert petition.status == S.CLOSED
    assert petition.rating == Petition.Rating.SATISFIED
    assert petition.closed_at is not None
    page = get(client, petition.get_absolute_url())
    assert shows(page, zh("Thank you, your rating was recorded."))
    assert status_label(S.CLOSED) in text(page)
    assert reverse("petitions:rate", args=[petition.pk]) not in text(page)


def test_unsatisfied_without_a_comment_shows_the_error_and_changes_nothing(
    client, alice, staff, official
):
    petition = answered(alice, staff, official)
    events = petition.events.count()
    client.force_login(alice.user)

    response = post(
        client,
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "solved", "rating": "unsatisfied", "comment": "  "},
        follow=True,
    )

    assert shows(
        response, zh("Tell us what is still unresolved, so it can be followed up.")
    )
    petition.refresh_from_db()
    assert petition.status == S.REPLIED
    assert petition.rating == ""
    assert petition.events.count() == events


def test_unsatisfied_with_a_comment_sends_it_back_to_the_department(
    client, alice, staff, official
):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)

    post(
        client,
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "solved", "rating": "unsatisfied", "comment": "增容仍未完成"},
    )

    petition.refresh_from_db()
    assert petition.status == S.IN_PROGRESS
    assert petition.rating == Petition.Rating.UNSATISFIED
    assert petition.rating_comment == "增容仍未完成"


def test_rating_is_a_post_only_action(client, alice, staff, official):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)

    assert get(client, reverse("petitions:rate", args=[petition.pk])).status_code == 405
    petition.refresh_from_db()
    assert petition.status == S.REPLIED


# --- the rating link from the e-mail -----------------------------------------------------------


def test_the_rating_link_works_without_logging_in(client, alice, staff, official):
    petition = answered(alice, staff, official)
    url = link_for(petition, alice)

    shown = get(client, url)
    assert shown.status_code == 200
    assert ANSWER in text(shown)
    assert 'name="rating"' in text(shown)

    done = post(
        client, url, {"solved": "solved", "rating": "basically", "comment": "基本满意"}
    )

    assert done.status_code == 200
    assert shows(done, zh("Thank you, your rating was recorded."))
    petition.refresh_from_db()
    assert petition.status == S.CLOSED
    assert petition.rating == Petition.Rating.BASICALLY
    closing = petition.events.get(to_status=S.CLOSED)
    assert closing.actor == alice.user


def test_the_same_link_a_second_time_says_rated_already_and_changes_nothing(
    client, alice, staff, official
):
    petition = answered(alice, staff, official)
    url = link_for(petition, alice)
    post(client, url, {"solved": "solved", "rating": "satisfied"})
    petition.refresh_from_db()
    before = (
        petition.status,
        petition.rating,
        petition.rated_at,
        petition.events.count(),
    )

    again = post(
        client,
        url,
        {"solved": "solved", "rating": "unsatisfied", "comment": "其实不满意"},
    )

    assert again.status_code == 200
    assert shows(
        again,
        zh(
            "This answer has been rated already, or a newer answer has been given. "
            "Log in to see the petition."
        ),
    )
    assert 'name="rating"' not in text(again)
    assert shows(
        get(client, url),
        zh(
            "This answer has been rated already, or a newer answer has been given. "
            "Log in to see the petition."
        ),
    )
    petition.refresh_from_db()
    assert (
        petition.status,
        petition.rating,
        petition.rated_at,
        petition.events.count(),
    ) == before


def test_a_link_of_an_earlier_answer_is_refused_after_a_new_answer(
    client, alice, staff, official
):
    petition = answered(alice, staff, official)
    old = link_for(petition, alice)
    services.rate_petition(
        solved="solved",
        petition=petition,
        rating="unsatisfied",
        comment="未完成",
        actor=alice.user,
    )
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已完成增容。"
    )
    services.answer_petition(petition=petition, actor=staff, answer="增容已完成。")

    response = post(client, old, {"solved": "solved", "rating": "satisfied"})

    assert 'name="rating"' not in text(response)
    petition.refresh_from_db()
    assert petition.status == S.REPLIED
    assert petition.rating == ""


@pytest.mark.parametrize(
    "garble",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token + "x",
        lambda token: "not-a-token",
        lambda token: token.replace(":", "", 1),
    ],
    ids=["changed-signature", "appended", "made-up", "broken"],
)
def test_a_forged_or_garbled_link_is_a_404_page(client, alice, staff, official, garble):
    petition = answered(alice, staff, official)
    token = rating_token(petition_id=petition.pk, answer_round=1, user_id=alice.user_id)

    url = reverse("petitions:rate_by_link", args=[garble(token)])
    shown = get(client, url)
    posted = post(client, url, {"solved": "solved", "rating": "satisfied"})

    assert shown.status_code == 404
    assert shows(
        shown,
        zh("This link is not valid or has expired. Log in to see your petitions."),
    )
    assert posted.status_code == 404
    petition.refresh_from_db()
    assert petition.status == S.REPLIED


def test_a_signed_link_naming_someone_outside_the_enterprise_is_a_404(
    client, alice, bob, staff, official
):
    petition = answered(alice, staff, official)

    response = post(
        client, link_for(petition, bob), {"solved": "solved", "rating": "satisfied"}
    )

    assert response.status_code == 404
    petition.refresh_from_db()
    assert petition.status == S.REPLIED


def test_the_link_in_the_answer_email_rates_the_petition(
    client, alice, staff, official, mailoutbox, django_capture_on_commit_callbacks
):
    alice.user.email = "alice@example.com"
    alice.user.save(update_fields=["email"])
    petition = submitted(alice)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category("policy"),
        priority="normal",
        handling="chamber",
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.answer_petition(
            petition=petition, actor=staff, answer=ANSWER, outcome="explained"
        )

    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    found = re.search(
        r"https?://\S+?(/petitions/rate/\S+?/)(?=\s|$)", mailoutbox[0].body
    )
    assert found, mailoutbox[0].body
    path = found.group(1)

    assert ANSWER in text(get(client, path))
    post(client, path, {"solved": "solved", "rating": "satisfied"})

    petition.refresh_from_db()
    assert petition.status == S.CLOSED
    assert petition.rating == Petition.Rating.SATISFIED


# --- query counts ----------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _petitions_of(enterprise, n: int, department) -> None:
    """n petitions of the enterprise: new, at a department, answered and closed (set-based)."""
    pks = [p.pk for p in PetitionFactory.create_batch(n, enterprise=enterprise)]
    third = n // 3
    now, today = timezone.now(), timezone.localdate()
    Petition.objects.filter(pk__in=pks[third : 2 * third]).update(
        status=S.IN_PROGRESS,
        handling="department",
        department=department,
        accepted_at=now,
        dispatched_at=now,
        due_on=today - timedelta(days=1),
        supervised_on=today,
        bounce_count=1,
    )
    Petition.objects.filter(pk__in=pks[2 * third :]).update(
        status=S.CLOSED,
        answer="已答复。",
        answered_at=now,
        closed_at=now,
        rating="satisfied",
    )


def test_my_petitions_cost_the_same_queries_for_10_and_300_petitions(
    client, alice, official
):
    url = reverse("petitions:mine")
    client.force_login(alice.user)
    _petitions_of(alice.enterprise, 10, official.department)
    client.get(url)  # warm-up: the session and per-user caches

    def built() -> int:
        """Queries of the page made afresh (as after a change), then kept: none."""
        enterprise_petitions_changed(alice.enterprise.pk)
        made = _queries(client, url)
        assert _queries(client, url) == 0
        return made

    few = built()
    _petitions_of(alice.enterprise, 290, official.department)
    many = built()

    assert Petition.objects.for_enterprise(alice.enterprise.pk).count() == 300
    assert few == many, (few, many)
