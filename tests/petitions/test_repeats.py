"""重复诉求 (issue 20, item 6): the member is offered their own enterprise's similar
petitions before filing again, and adds to one instead; staff see likely repeats across
enterprises and channels on the triage board, on a batch's page and on a petition's
page, and merge with a reason that names the other petition's number.

Alice (甲公司) raises the state of the road at her gate; Bob (乙公司), on the same
road, raises the same. Pages are requested in Chinese and compared with the zh-hans
translation of their messages.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import ngettext

from chamber.models import OutgoingMessage
from petitions import emails, repeats, services
from petitions.models import IntakeBatch, Petition, PetitionEvent
from tests.factories import CategoryFactory, PetitionFactory, StaffFactory
from tests.support.batch import page_key, typed
from tests.support.pages import shows, text
from tests.support.words import zh

S = Petition.Status
ROAD = (
    "厂区门前道路破损严重",
    "港城路厂区门前的道路坑洼破损，雨天积水，货车进出困难，希望协调维修。",
)
# The same matter in other words: a member typing it again, a duty studio's note.
ROAD_AGAIN = (
    "厂门口道路坑洼需要维修",
    "港城路厂区门前道路破损，下雨积水，大货车进出很困难，请帮助协调修路。",
)
ROAD_NOTE = (
    "港城路道路破损",
    "值班接待记录：企业反映港城路道路破损，雨天积水，货车通行困难。",
)
SUBSIDY = ("申请稳岗返还资金", "去年未裁员，申请稳岗返还，但至今未到账，希望了解进度。")
PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def petition_of(member, words, **fields) -> Petition:
    title, description = words
    return services.submit_petition(
        enterprise=member.enterprise,
        title=title,
        description=description,
        channel=fields.pop("channel", "online"),
        submitted_by=member.user,
        **fields,
    )


def at_department(staff, department, member, words) -> Petition:
    """A member's petition, triaged and dispatched to `department`."""
    petition = petition_of(member, words)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(),
        priority="normal",
        handling="department",
    )
    return services.dispatch_petition(
        petition=petition, department=department, actor=staff
    )


def typed_petition(words, **extra) -> dict:
    """The member's submit form as Alice fills it in."""
    title, description = words
    return {
        "title": title,
        "description": description,
        "category": "",
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        **extra,
    }


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def handler(db):
    """The staff member who handles petitions (and is told of what needs them)."""
    return StaffFactory(handles_petitions=True, full_name="张处理")


# --- the member: their own enterprise's petitions, never another's --------------------------


def test_suggestions_never_cross_enterprises(alice, bob):
    mine = petition_of(alice, ROAD)
    theirs = petition_of(bob, ROAD)  # word for word, and newer

    found = repeats.suggestions(alice.enterprise_id, *ROAD_AGAIN)

    assert [m.petition.pk for m in found] == [mine.pk]
    assert repeats.suggestions(bob.enterprise_id, *ROAD_AGAIN)[0].petition == theirs
    assert theirs.pk not in {
        m.petition.pk for m in repeats.suggestions(alice.enterprise_id, *ROAD)
    }


def test_another_enterprises_identical_petition_is_never_shown_on_the_page_nor_in_json(
    alice_client, alice, bob
):
    theirs = petition_of(bob, ROAD)

    # Nothing of Alice's reads alike: the page files her petition at once.
    response = post(alice_client, reverse("petitions:submit"), typed_petition(ROAD))
    assert response.status_code == 302
    mine = Petition.objects.get(enterprise=alice.enterprise)
    assert theirs.number not in text(get(alice_client, response["Location"]))

    # Typing the same again: her own is suggested, never Bob's word-for-word one.
    shown = post(alice_client, reverse("petitions:submit"), typed_petition(ROAD))
    assert shown.status_code == 200
    assert mine.number in text(shown)
    assert theirs.number not in text(shown)
    assert f'"{theirs.get_absolute_url()}"' not in text(shown)
    assert reverse("petitions:add_to", args=[theirs.pk]) not in text(shown)

    data = get(
        alice_client,
        reverse("petitions:similar"),
        data={"title": ROAD[0], "description": ROAD[1]},
    ).json()
    assert [s["number"] for s in data["suggestions"]] == [mine.number]
    assert data["suggestions"][0]["add_url"] == reverse(
        "petitions:add_to", args=[mine.pk]
    )
    assert theirs.number not in str(data)


def test_recently_ended_petitions_are_suggested_but_not_older_or_merged_ones(
    alice, staff
):
    now = timezone.now()
    recent = petition_of(alice, ROAD)
    services.reject_petition(
        petition=recent,
        actor=staff,
        reason="不属商会职责。",
        now=now - timedelta(days=30),
    )
    old = petition_of(alice, ROAD_AGAIN)
    services.reject_petition(
        petition=old,
        actor=staff,
        reason="不属商会职责。",
        now=now - timedelta(days=repeats.RECENT_DAYS + 1),
    )
    merged = petition_of(alice, ROAD_NOTE)
    services.merge_petition(
        petition=merged, into=recent, actor=staff, reason="同一事项。"
    )

    found = repeats.suggestions(alice.enterprise_id, *ROAD)

    assert [m.petition for m in found] == [recent]
    assert found[0].petition.has_ended


# --- the page without JavaScript -------------------------------------------------------------


def test_a_petition_like_an_open_one_shows_it_first_and_keeps_what_was_typed(
    alice_client, alice
):
    mine = petition_of(alice, ROAD)
    picture = SimpleUploadedFile("门前.png", PNG, content_type="image/png")

    response = post(
        alice_client,
        reverse("petitions:submit"),
        typed_petition(ROAD_AGAIN, files=[picture]),
    )

    assert response.status_code == 200
    assert Petition.objects.count() == 1  # nothing filed yet
    page = text(response)
    assert shows(response, zh("Do you want to add to this petition?"))
    assert mine.number in page and escape(mine.title) in page
    # Per open petition, "add to this petition" posts the typed text to it.
    assert f'formaction="{reverse("petitions:add_to", args=[mine.pk])}"' in page
    assert shows(response, zh("Add to this petition"))
    assert shows(response, zh("Submit as a new petition anyway"))
    # Nothing typed is lost; the attachment must be chosen again, and the page says so.
    assert f'value="{ROAD_AGAIN[0]}"' in page
    assert ROAD_AGAIN[1] in page
    assert 'value="王经理"' in page and 'value="13800000001"' in page
    assert shows(
        response, zh("The attachments you chose were not kept: choose them again.")
    )


def test_submit_anyway_files_a_new_petition(alice_client, alice):
    petition_of(alice, ROAD)

    response = post(
        alice_client,
        reverse("petitions:submit"),
        typed_petition(ROAD_AGAIN, anyway="1"),
    )

    assert response.status_code == 302
    new = Petition.objects.latest("pk")
    assert response["Location"] == new.get_absolute_url()
    assert (new.title, new.enterprise) == (ROAD_AGAIN[0], alice.enterprise)
    assert Petition.objects.count() == 2


def test_adding_from_the_submit_page_writes_the_event_tells_the_department_and_shows_it(
    alice_client, alice, staff, official
):
    mine = at_department(staff, official.department, alice, ROAD)
    shown = post(alice_client, reverse("petitions:submit"), typed_petition(ROAD_AGAIN))
    assert mine.number in text(shown)

    # The "add to this petition" button: the whole form, posted to the petition.
    response = post(
        alice_client,
        reverse("petitions:add_to", args=[mine.pk]),
        typed_petition(ROAD_AGAIN),
    )

    assert response.status_code == 302
    assert response["Location"] == mine.get_absolute_url()
    assert Petition.objects.count() == 1
    event = mine.events.get(kind=PetitionEvent.Kind.ADDITION)
    assert event.is_public and event.actor == alice.user
    assert event.note == f"{ROAD_AGAIN[0]}\n{ROAD_AGAIN[1]}"
    assert event.data["holder"] == "department"
    told = OutgoingMessage.objects.filter(kind="petition-addition", channel="email")
    assert [m.user for m in told] == [official.user]
    assert ROAD_AGAIN[1] in told[0].body_text and mine.number in told[0].subject
    assert reverse("petitions:department_detail", args=[mine.pk]) in told[0].body_text

    page = get(alice_client, response["Location"])
    assert shows(
        page,
        zh(
            "Your addition to petition %(number)s was recorded; those handling it were told."
        )
        % {"number": mine.number},
    )
    timeline = text(page)[text(page).index(escape(zh("Timeline"))) :]
    assert escape(zh("added by the enterprise")) in timeline
    assert ROAD_AGAIN[1] in timeline


def test_an_addition_while_the_chamber_holds_it_tells_the_staff_who_handle_petitions(
    alice_client, alice, handler
):
    mine = petition_of(alice, ROAD)

    response = post(
        alice_client,
        reverse("petitions:add_to", args=[mine.pk]),
        {"title": "", "description": "补充：门前的路灯也坏了。"},
    )

    assert response.status_code == 302
    event = mine.events.get(kind=PetitionEvent.Kind.ADDITION)
    assert event.note == "补充：门前的路灯也坏了。"
    told = OutgoingMessage.objects.filter(kind="petition-addition", channel="email")
    assert [m.user for m in told] == [handler]
    assert alice.enterprise.name in told[0].subject
    # A handler who reads the digest finds it there the next morning.
    assert PetitionEvent.objects.filter(emails.staff_events_q(), pk=event.pk).exists()


def test_the_add_page_takes_files_and_refuses_an_ended_petition(
    alice_client, alice, staff
):
    mine = petition_of(alice, ROAD)
    picture = SimpleUploadedFile("路灯.png", PNG, content_type="image/png")

    post(
        alice_client,
        reverse("petitions:add_to", args=[mine.pk]),
        {"description": "路灯照片。", "files": [picture]},
    )
    assert mine.attachments.count() == 1
    assert mine.events.get(kind="addition").data["attachments"] == 1

    services.reject_petition(petition=mine, actor=staff, reason="不属商会职责。")
    response = post(
        alice_client,
        reverse("petitions:add_to", args=[mine.pk]),
        {"description": "再补充一点。"},
    )

    assert response.status_code == 200
    assert "再补充一点。" in text(response)  # what was typed is still there
    assert mine.events.filter(kind="addition").count() == 1


def test_only_a_member_of_the_enterprise_may_add(alice, bob):
    mine = petition_of(alice, ROAD)

    with pytest.raises(services.PetitionError):
        services.add_to_petition(
            petition=mine, actor=bob.user, title="", description="路不好走。"
        )
    assert not mine.events.filter(kind="addition").exists()


def test_another_enterprises_petition_in_the_add_url_is_a_404(client, alice, bob):
    mine = petition_of(alice, ROAD)
    client.force_login(bob.user)
    url = reverse("petitions:add_to", args=[mine.pk])

    assert get(client, url).status_code == 404
    assert post(client, url, typed_petition(ROAD_AGAIN)).status_code == 404
    assert not mine.events.filter(kind="addition").exists()
    assert not OutgoingMessage.objects.filter(kind="petition-addition").exists()


# --- staff: likely repeats across enterprises and channels ----------------------------------


def board_row(page: str, number: str) -> str:
    start = page.index(f"{number} · ")
    return page[start : page.index("</li>", start)]


def test_the_triage_board_flags_a_cross_enterprise_repeat(client, staff, alice, bob):
    online = petition_of(alice, ROAD)
    studio = petition_of(bob, ROAD_NOTE, channel="duty_studio")
    other = petition_of(alice, SUBSIDY)
    client.force_login(staff)

    page = text(get(client, reverse("petitions:triage")))

    flag = escape(zh("likely repeat"))
    row = board_row(page, online.number)
    assert flag in row
    assert studio.number in row and bob.enterprise.name in row
    assert escape(zh("duty studio")) in row
    assert reverse("petitions:staff_detail", args=[studio.pk]) in row
    assert "%" in row
    row = board_row(page, studio.number)
    assert flag in row and online.number in row
    assert flag not in board_row(page, other.number)


def _petition_queries(queries) -> int:
    """The queries of the petitions' tables: other apps' caches (the roles of a
    session, the method's kinds) may read theirs or not, as their timers say."""
    return sum("petitions_" in q["sql"] for q in queries.captured_queries)


def _triage_queries(client) -> int:
    client.get(reverse("petitions:triage"))
    repeats.forget()  # each count builds the window once, as a new process would
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("petitions:triage")).status_code == 200
    return _petition_queries(queries)


def test_the_triage_board_takes_the_same_queries_for_2_or_8_petitions_with_repeats(
    client, staff, alice, bob
):
    client.force_login(staff)
    petition_of(alice, ROAD)
    petition_of(bob, ROAD_NOTE)
    few = _triage_queries(client)

    for member in (alice, bob):
        for words in (ROAD_AGAIN, ROAD_NOTE, SUBSIDY):
            petition_of(member, words, channel="phone")
    many = _triage_queries(client)

    assert many == few
    # Shown again, the window is not built again but grown: one query all the same.
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("petitions:triage"))
    assert _petition_queries(again) == few


def test_each_row_of_a_batch_is_flagged_not_refused(client, staff, alice, bob):
    earlier = petition_of(alice, ROAD)
    client.force_login(staff)
    rows = [
        {
            "enterprise": bob.enterprise.name,
            "title": ROAD_NOTE[0],
            "description": ROAD_NOTE[1],
        },
        {
            "enterprise": bob.enterprise.name,
            "title": "招工难",
            "description": "数控车工招不到人。",
        },
    ]

    response = post(client, reverse("petitions:batch"), typed(page_key(client), rows))

    assert response.status_code == 302
    batch = IntakeBatch.objects.get()
    assert response["Location"] == reverse("petitions:batch_entered", args=[batch.pk])
    road, hiring = batch.petitions.order_by("number")
    assert (road.status, hiring.status) == (S.SUBMITTED, S.SUBMITTED)
    page = text(get(client, response["Location"]))
    flag = escape(zh("likely repeat"))
    assert flag in board_row(page, road.number)
    assert earlier.number in board_row(page, road.number)
    assert flag not in board_row(page, hiring.number)
    with translation.override("zh-hans"):
        alert = ngettext(
            "%(n)s petition on this page reads like one already received (any "
            "enterprise, any channel, open or ended in the last 90 days). It was "
            "entered all the same: check it when you triage, and merge it if it is "
            "the same matter.",
            "%(n)s petitions on this page read like ones already received (any "
            "enterprise, any channel, open or ended in the last 90 days). They were "
            "entered all the same: check them when you triage, and merge those that "
            "are the same matter.",
            1,
        ) % {"n": 1}
    assert escape(alert) in page


def test_a_repeat_that_merged_since_the_window_was_built_is_not_flagged(
    alice, bob, staff
):
    online = petition_of(alice, ROAD)
    studio = petition_of(bob, ROAD_NOTE, channel="duty_studio")
    assert [d.petition for d in repeats.likely_duplicates([online])[online.pk]] == [
        studio
    ]

    services.merge_petition(
        petition=studio, into=online, actor=staff, reason="同一事项。"
    )
    newer = petition_of(bob, ROAD_AGAIN)

    found = repeats.likely_duplicates([online])[online.pk]
    assert [d.petition for d in found] == [newer]  # grown by key, the merged one gone


# --- merging with a reason that names the other petition -----------------------------------


def test_staff_merge_into_the_suggested_petition_and_the_answer_names_its_number(
    client, staff, alice, bob
):
    online = petition_of(alice, ROAD)
    studio = petition_of(bob, ROAD_NOTE, channel="duty_studio")
    client.force_login(staff)

    page = text(get(client, reverse("petitions:staff_detail", args=[studio.pk])))
    assert escape(zh("Likely repeats")) in page
    reason = repeats.merge_reason(online.number)
    with translation.override("zh-hans"):
        reason_zh = repeats.merge_reason(online.number)
    assert f'name="into" value="{online.number}"' in page
    assert escape(reason_zh) in page

    response = post(
        client,
        reverse("petitions:staff_action", args=[studio.pk, "merge"]),
        {"into": online.number, "reason": reason},
    )

    assert response.status_code == 302
    studio.refresh_from_db()
    assert (studio.status, studio.merged_into) == (S.MERGED, online)
    assert online.number in studio.answer
    told = OutgoingMessage.objects.get(
        kind="petition-answered", channel="email", user=bob.user
    )
    assert online.number in told.body_text


def test_the_member_page_and_the_answer_name_the_number_whatever_the_reason(
    client, staff, alice, bob
):
    online = petition_of(alice, ROAD)
    studio = petition_of(bob, ROAD_NOTE)

    services.merge_petition(
        petition=studio, into=online, actor=staff, reason="同一事项。"
    )

    client.force_login(bob.user)
    page = get(client, studio.get_absolute_url())
    merged = zh("Merged into petition %(number)s: the matter is followed there.") % {
        "number": online.number
    }
    assert shows(page, merged)
    told = OutgoingMessage.objects.get(
        kind="petition-answered", channel="email", user=bob.user
    )
    assert online.number in told.body_text
    # Bob reads the number; Alice's petition stays hers.
    assert get(client, online.get_absolute_url()).status_code == 404


def test_a_petition_not_in_the_window_is_not_a_candidate(alice, bob, staff):
    online = petition_of(alice, ROAD)
    old = PetitionFactory(
        enterprise=bob.enterprise, title=ROAD_NOTE[0], description=ROAD_NOTE[1]
    )
    services.reject_petition(
        petition=old,
        actor=staff,
        reason="不属商会职责。",
        now=timezone.now() - timedelta(days=repeats.RECENT_DAYS + 5),
    )

    assert repeats.likely_duplicates([online]) == {}
