"""Field-level write protection (CHECKS AC-3): the forms ignore fields they must not set.

Each member, representative and official form is posted as its legitimate user with its
valid data plus every column a browser could try to smuggle in: status, department,
priority, enterprise, user, member, staff and superuser flags, points, numbers, dates,
approvals, the published text of a showcase, the reviewer. The page answers as it does for
the valid post; the legitimate change happens; and no other column moves, of the affected
row or of any other row (another enterprise, another department, the users). Rows are
compared as `.values()` before and after; where the action itself changes a row, a twin
row gets the valid post alone and both rows must end up the same.

The profile and enterprise forms are covered in tests/members (test_profile.py,
test_enterprise_pages.py).
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity, Registration
from chamber.models import Department, Official, User
from groups.models import GroupMembership, PointsEntry
from members.models import (
    DutyLogEntry,
    DutyShift,
    Enterprise,
    Member,
    SwapRequest,
    Unavailability,
)
from petitions.models import Category, Petition
from publicity import showcases
from publicity.models import (
    DigestPreference,
    NewsSubscription,
    Showcase,
    ShowcasePhoto,
)
from tests.factories import (
    ActivityFactory,
    DutyRepresentativeFactory,
    DutyShiftFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
    valid_credit_code,
)
from tests.support.department_pages import dispatched, signed
from tests.support.member_pages import answered, link_for

YINGKOU = ZoneInfo("Asia/Shanghai")
FORGED = "FORGED-BY-THE-BROWSER"
FORGED_DAY = "1999-01-01"
FORGED_MOMENT = "1999-01-01T08:00"
PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)

# Every table a smuggled field could reach.
WATCHED = (
    User,
    Member,
    Enterprise,
    Official,
    Department,
    Category,
    Petition,
    Showcase,
    ShowcasePhoto,
    DutyShift,
    DutyLogEntry,
    Unavailability,
    SwapRequest,
    Activity,
    Registration,
    NewsSubscription,
    DigestPreference,
    GroupMembership,
    PointsEntry,
)
# Columns that differ between a row and its twin whatever was posted.
OWN_IDENTITY = {"id", "number", "created_at", "updated_at"}


# --- snapshots -----------------------------------------------------------------------------


def snapshot() -> dict:
    return {
        model._meta.label: {row["id"]: row for row in model.objects.values()}
        for model in WATCHED
    }


def diff(before: dict, after: dict) -> tuple[dict, dict, set]:
    """(changed columns by (table, pk), new rows by table, gone (table, pk))."""
    changed, new, gone = {}, {}, set()
    for label, rows in after.items():
        old_rows = before[label]
        for pk, row in rows.items():
            if pk not in old_rows:
                new.setdefault(label, []).append(row)
                continue
            columns = {c for c, v in row.items() if old_rows[pk][c] != v}
            if columns:
                changed[(label, pk)] = columns
        gone |= {(label, pk) for pk in old_rows if pk not in rows}
    return changed, new, gone


def assert_nothing_forged(after: dict) -> None:
    """No smuggled text, day or moment landed anywhere."""
    for label, rows in after.items():
        for row in rows.values():
            for column, value in row.items():
                assert value != FORGED and FORGED not in str(value), (label, column)
                if isinstance(value, datetime | date):
                    assert value.year != 1999, (label, column, value)


def same_outcome(one: dict, other: dict) -> None:
    """Two rows that got the same legitimate change: equal but for their identity and clocks."""
    for column, value in one.items():
        if column in OWN_IDENTITY:
            continue
        if isinstance(value, datetime):
            assert (value is None) == (other[column] is None), column
            continue
        assert other[column] == value, (column, value, other[column])


def same_change(before: dict, after: dict, table: str, plain: int, target: int) -> None:
    """The target row moved exactly as its twin, which got the valid post alone."""
    moved = {
        pk: {
            c: v
            for c, v in after[table][pk].items()
            if v != before[table][pk][c] and c not in OWN_IDENTITY
        }
        for pk in (plain, target)
    }
    assert set(moved[target]) == set(moved[plain])
    for column, value in moved[plain].items():
        if not isinstance(value, datetime):
            assert moved[target][column] == value, column


def row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def forbidden(*, skip=(), **ids) -> dict:
    """Valid-looking values for every column no member or official form may set.

    `ids` gives the other rows to point at (another enterprise, department, user, member,
    official, shift); `skip` leaves out the names that are the form's own business.
    """
    data = {
        "id": "1",
        "pk": "1",
        "status": "closed",
        "priority": "urgent",
        "handling": "chamber",
        "channel": "phone",
        "number": "XS-1999-9999",
        "due_on": FORGED_DAY,
        "rating": "satisfied",
        "rating_comment": FORGED,
        "answer": FORGED,
        "answer_round": "9",
        "bounce_count": "9",
        "department_reply": FORGED,
        "title": FORGED,
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "",
        "username": FORGED,
        "email": "forged@example.com",
        "points": "999",
        "delta": "999",
        "approved_at": FORGED_MOMENT,
        "submitted_at": FORGED_MOMENT,
        "signed_at": FORGED_MOMENT,
        "closed_at": FORGED_MOMENT,
        "cancelled_at": FORGED_MOMENT,
        "rated_at": FORGED_MOMENT,
        "attended_at": FORGED_MOMENT,
        "subscribed_at": FORGED_MOMENT,
        "unsubscribed_at": FORGED_MOMENT,
        "created_at": FORGED_MOMENT,
        "is_approved": "on",
        "is_listed": "",
        "include_articles": "",
        "public_introduction": FORGED,
        "public_products": FORGED,
        "public_website": "https://forged.example",
        "review_note": FORGED,
        "reason": FORGED,
        "note": FORGED,
    }
    by_kind = {
        "enterprise": ("enterprise", "enterprise_id"),
        "department": ("department", "department_id"),
        "user": (
            "user",
            "user_id",
            "created_by",
            "created_by_id",
            "submitted_by",
            "signed_by",
            "recorded_by",
            "reviewed_by",
            "updated_by",
            "department_replied_by",
        ),
        "member": (
            "member",
            "member_id",
            "representative",
            "requested_by",
            "accepted_by",
        ),
        "official": ("official", "official_id"),
        "shift": ("shift", "shift_id"),
    }
    for kind, pk in ids.items():
        for name in by_kind[kind]:
            data[name] = str(pk)
    for name in skip:
        data.pop(name, None)
    return data


@pytest.fixture
def elsewhere(db):
    """Rows of another enterprise and another department to point the forged ids at."""
    other = MemberFactory(enterprise__name="丙公司")
    return {
        "enterprise": other.enterprise_id,
        "member": other.pk,
        "user": other.user_id,
        "department": OfficialFactory().department_id,
    }


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- petitions: the member's submit form ---------------------------------------------------


def test_submitting_a_petition_ignores_the_columns_the_chamber_sets(
    client, alice, elsewhere
):
    client.force_login(alice.user)
    url = reverse("petitions:submit")
    valid = {
        "title": "厂区供电容量不足",
        "description": "申请协调供电公司增容。",
        "contact_name": "王会计",
        "contact_phone": "13812345678",
    }
    before = snapshot()

    plain = client.post(url, valid)
    smuggled = client.post(
        url,
        {
            **valid,
            **forbidden(skip=("title",), **elsewhere),
            "category": "",
            "anyway": "1",  # the same petition again: filed, not the similar ones first
        },
    )

    assert (plain.status_code, smuggled.status_code) == (302, 302)
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    assert set(new) == {"petitions.Petition"}
    first, second = sorted(new["petitions.Petition"], key=lambda r: r["id"])
    assert second["enterprise_id"] == alice.enterprise_id
    assert second["submitted_by_id"] == alice.user_id
    assert second["status"] == Petition.Status.SUBMITTED
    assert second["channel"] == Petition.Channel.ONLINE
    assert (second["department_id"], second["due_on"]) == (None, None)
    assert second["number"] != "XS-1999-9999"
    same_outcome(first, second)
    assert_nothing_forged(after)


# --- petitions: the QR entry points (the studio door) --------------------------------------

STUDIO_NOW = datetime(2026, 3, 11, 10, 30, tzinfo=YINGKOU)


@time_machine.travel(STUDIO_NOW, tick=False)
def test_the_studio_form_takes_its_channel_and_week_from_the_door_not_the_post(
    client, alice, elsewhere
):
    this_week = DutyShiftFactory(week_start=date(2026, 3, 9))
    next_week = DutyShiftFactory(week_start=date(2026, 3, 16))
    session = ActivityFactory()
    client.force_login(alice.user)
    url = reverse("petitions:studio")
    valid = {
        "title": "厂区门前道路积水",
        "description": "希望协调修缮。",
        "contact_name": "王会计",
        "contact_phone": "13812345678",
    }
    extras = {
        **forbidden(skip=("title",), shift=next_week.pk, **elsewhere),
        "category": "",
        "duty_shift": str(next_week.pk),
        "duty_shift_id": str(next_week.pk),
        "activity": str(session.pk),
        "submitted_by_id": str(elsewhere["user"]),
    }
    before = snapshot()

    plain = client.post(url, valid)
    smuggled = client.post(url, {**valid, **extras})

    assert (plain.status_code, smuggled.status_code) == (302, 302)
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    assert set(new) == {"petitions.Petition"}
    first, second = sorted(new["petitions.Petition"], key=lambda r: r["id"])
    assert (second["enterprise_id"], second["submitted_by_id"]) == (
        alice.enterprise_id,
        alice.user_id,
    )
    assert (second["channel"], second["duty_shift_id"], second["activity_id"]) == (
        Petition.Channel.DUTY_STUDIO,
        this_week.pk,
        None,
    )
    same_outcome(first, second)
    assert_nothing_forged(after)


@time_machine.travel(STUDIO_NOW, tick=False)
def test_a_visitors_petition_never_makes_its_enterprise_a_member(
    client, elsewhere, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SMS_DIR = tmp_path / "sms"
    url = reverse("petitions:studio")
    valid = {
        "mobile": "13912345678",
        "enterprise_name": "营口新港物流有限公司",
        "credit_code": valid_credit_code(4242),
        "area": "coastal",
        "contact_name": "赵经理",
        "title": "仓储用地审批进度",
        "description": "希望了解进度。",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**valid, "send_code": "1"})
    (sms,) = settings.SMS_DIR.glob("*.txt")
    valid["code"] = re.search(r"验证码(\d{6})", sms.read_text("utf-8")).group(1)
    extras = {
        **forbidden(skip=("title",), **elsewhere),
        "category": "",
        "joined_on": FORGED_DAY,
        "submitted_by_id": str(elsewhere["user"]),
    }
    before = snapshot()

    response = client.post(url, {**valid, **extras})

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    assert set(new) == {"members.Enterprise", "petitions.Petition"}
    (enterprise,) = new["members.Enterprise"]
    assert (enterprise["status"], enterprise["joined_on"]) == (
        Enterprise.Status.PROSPECT,
        None,
    )
    (petition,) = new["petitions.Petition"]
    assert (petition["enterprise_id"], petition["submitted_by_id"]) == (
        enterprise["id"],
        None,
    )
    assert (petition["status"], petition["channel"]) == (
        Petition.Status.SUBMITTED,
        Petition.Channel.DUTY_STUDIO,
    )
    assert_nothing_forged(after)


# --- petitions: the rating form and the signed rating link -------------------------------


def _two_answered(alice, staff, official) -> tuple[Petition, Petition]:
    return (
        answered(alice, staff, official, title="厂区供电容量不足"),
        answered(alice, staff, official, title="厂区供电容量不足"),
    )


def test_rating_from_the_page_sets_only_the_rating(
    client, alice, staff, official, elsewhere
):
    plain, target = _two_answered(alice, staff, official)
    untouched = PetitionFactory(enterprise=alice.enterprise)
    client.force_login(alice.user)
    valid = {"solved": "solved", "rating": "basically", "comment": "基本满意"}
    extras = forbidden(skip=("rating",), **elsewhere) | {"pk": str(untouched.pk)}
    before = snapshot()

    responses = [
        client.post(reverse("petitions:rate", args=[plain.pk]), valid),
        client.post(reverse("petitions:rate", args=[target.pk]), {**valid, **extras}),
    ]

    assert [r.status_code for r in responses] == [302, 302]
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert set(changed) == {
        ("petitions.Petition", plain.pk),
        ("petitions.Petition", target.pk),
    }
    assert (new, gone) == ({}, set())
    rated = row(Petition, target.pk)
    assert (rated["status"], rated["rating"]) == (Petition.Status.CLOSED, "basically")
    assert rated["enterprise_id"] == alice.enterprise_id
    assert rated["department_id"] == official.department_id
    same_change(before, after, "petitions.Petition", plain.pk, target.pk)
    assert_nothing_forged(after)


def test_rating_by_the_signed_link_sets_only_the_rating(
    client, alice, staff, official, elsewhere
):
    plain, target = _two_answered(alice, staff, official)
    valid = {"solved": "solved", "rating": "satisfied", "comment": ""}
    extras = forbidden(skip=("rating",), **elsewhere)
    before = snapshot()

    responses = [
        client.post(link_for(plain, alice), valid),
        client.post(link_for(target, alice), {**valid, **extras}),
    ]

    assert [r.status_code for r in responses] == [200, 200]
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert set(changed) == {
        ("petitions.Petition", plain.pk),
        ("petitions.Petition", target.pk),
    }
    assert (new, gone) == ({}, set())
    rated = row(Petition, target.pk)
    assert (rated["status"], rated["rating"]) == (Petition.Status.CLOSED, "satisfied")
    assert rated["enterprise_id"] == alice.enterprise_id
    same_change(before, after, "petitions.Petition", plain.pk, target.pk)
    # The rater is the user the link was signed for, not a forged one.
    closing = target.events.get(to_status=Petition.Status.CLOSED)
    assert closing.actor_id == alice.user_id
    assert_nothing_forged(after)


# --- petitions: the department's actions -------------------------------------------------

DEPARTMENT_POSTS = {
    "sign": ("dispatched", {}, 302),
    "return": ("dispatched", {"basis": "该事项属于区市场监管局职责"}, 302),
    "progress": ("signed", {"note": "已现场查看配电设施"}, 302),
    "reply": (
        "signed",
        {"outcome": "partly", "reply": "已部分解决。", "follow_up_plan": "下周办结。"},
        302,
    ),
}


@pytest.mark.parametrize("action", list(DEPARTMENT_POSTS))
def test_a_department_action_changes_only_what_the_action_does(
    client, staff, official, elsewhere, action
):
    state, valid, status_code = DEPARTMENT_POSTS[action]
    make = dispatched if state == "dispatched" else signed
    second = official if state == "signed" else official.department
    plain, target = make(staff, second), make(staff, second)
    another = dispatched(staff, Department.objects.get(pk=elsewhere["department"]))
    client.force_login(official.user)
    own = set(valid) | ({"note"} if action == "progress" else set())
    extras = forbidden(skip=own, **elsewhere) | {"pk": str(another.pk)}
    before = snapshot()

    responses = [
        client.post(
            reverse("petitions:department_action", args=[plain.pk, action]), valid
        ),
        client.post(
            reverse("petitions:department_action", args=[target.pk, action]),
            {**valid, **extras},
        ),
    ]

    assert [r.status_code for r in responses] == [status_code, status_code]
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert set(changed) <= {
        ("petitions.Petition", plain.pk),
        ("petitions.Petition", target.pk),
    }
    assert (new, gone) == ({}, set())
    acted = row(Petition, target.pk)
    assert acted["priority"] == Petition.Priority.NORMAL
    assert acted["department_id"] in (official.department_id, None)
    assert acted["rating"] == ""
    same_change(before, after, "petitions.Petition", plain.pk, target.pk)
    assert_nothing_forged(after)


# --- publicity: the member's showcase ---------------------------------------------------


def _approved_showcase(enterprise, member_user, staff, text: str) -> Showcase:
    showcase = showcases.showcase_of(enterprise)
    showcase.introduction = text
    showcase.is_listed = True
    showcases.save_showcase(
        showcase=showcase,
        actor=member_user,
        photos=[],
        remove_photo_ids=[],
        submit=True,
    )
    return showcases.approve_showcase(showcase=showcase, actor=staff)


def test_the_showcase_form_never_publishes_or_approves(client, alice, bob, staff):
    mine = _approved_showcase(
        alice.enterprise, alice.user, staff, "甲公司专注精密铸件。"
    )
    _approved_showcase(bob.enterprise, bob.user, staff, "乙公司经营建材。")
    client.force_login(alice.user)
    valid = {
        "introduction": "甲公司新建智能化铸造车间。",
        "products": "精密铸件",
        "website": "",
        "is_listed": "on",
        "submit": "",
        "new_photos": [SimpleUploadedFile("车间.png", PNG, content_type="image/png")],
    }
    extras = forbidden(
        skip=("is_listed",),
        enterprise=bob.enterprise_id,
        user=staff.pk,
        member=bob.pk,
    ) | {
        "status": Showcase.Status.APPROVED,
        "showcase": str(bob.enterprise.showcase.pk),
    }
    before = snapshot()

    response = client.post(reverse("publicity:my_showcase"), {**valid, **extras})

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert changed == {
        ("publicity.Showcase", mine.pk): {
            "introduction",
            "products",
            "status",
            "submitted_at",
            "updated_at",
        }
    }
    assert set(new) == {"publicity.ShowcasePhoto"}
    assert gone == set()
    saved = row(Showcase, mine.pk)
    assert saved["status"] == Showcase.Status.PENDING
    assert saved["introduction"] == "甲公司新建智能化铸造车间。"
    assert saved["public_introduction"] == "甲公司专注精密铸件。"
    (photo,) = new["publicity.ShowcasePhoto"]
    assert (photo["showcase_id"], photo["is_approved"]) == (mine.pk, False)
    assert_nothing_forged(after)


# --- members: the duty-log entry form ----------------------------------------------------

DUTY_NOW = datetime(2026, 3, 11, 10, 30, tzinfo=YINGKOU)


@time_machine.travel(DUTY_NOW, tick=False)
def test_the_duty_log_form_sets_neither_week_nor_recorder(client, db, elsewhere):
    shift = DutyShiftFactory(week_start=date(2026, 3, 9))
    last_week = DutyShiftFactory(week_start=date(2026, 3, 2))
    rep = shift.representative
    client.force_login(rep.user)
    valid = {
        "visitor_name": "王经理",
        "visitor_enterprise": "营口鑫达商贸有限公司",
        "visitor_phone": "138 0000 0001",
        "visited_at": "2026-03-11T09:15",
        "subject": "贷款难",
        "notes": "带来了银行的拒贷通知。",
        "appeal": "希望协调银行续贷。",
    }
    extras = forbidden(
        skip=("enterprise", "enterprise_id"),
        shift=last_week.pk,
        user=elsewhere["user"],
        member=elsewhere["member"],
    )
    before = snapshot()

    plain = client.post(reverse("members:duty_log"), valid)
    smuggled = client.post(reverse("members:duty_log"), {**valid, **extras})

    assert (plain.status_code, smuggled.status_code) == (302, 302)
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    assert set(new) == {"members.DutyLogEntry"}
    first, second = sorted(new["members.DutyLogEntry"], key=lambda r: r["id"])
    assert (second["shift_id"], second["recorded_by_id"]) == (shift.pk, rep.user_id)
    same_outcome(first, second)
    assert_nothing_forged(after)


# --- activities: sign-up and cancel -------------------------------------------------------


def test_signing_up_and_cancelling_set_only_the_members_own_registration(
    client, alice, bob, elsewhere
):
    activity, other = ActivityFactory(), ActivityFactory()
    bobs = Registration.objects.create(
        activity=activity, member=bob, status=Registration.Status.REGISTERED
    )
    client.force_login(alice.user)
    extras = forbidden(**elsewhere) | {
        "status": Registration.Status.WAITING,
        "activity": str(other.pk),
        "pk": str(bobs.pk),
    }
    before = snapshot()

    signed_up = client.post(
        reverse("activities:sign_up", args=[activity.pk]),
        extras,
    )

    assert signed_up.status_code == 302
    middle = snapshot()
    changed, new, gone = diff(before, middle)
    assert (changed, gone) == ({}, set())
    (registration,) = new["activities.Registration"]
    assert set(new) == {"activities.Registration"}
    assert registration["activity_id"] == activity.pk
    assert registration["member_id"] == alice.pk
    assert registration["status"] == Registration.Status.REGISTERED
    assert (registration["attended_at"], registration["attendee_name"]) == (None, "")

    cancelled = client.post(
        reverse("activities:cancel", args=[registration["id"]]),
        extras | {"status": Registration.Status.REGISTERED},
    )

    assert cancelled.status_code == 302
    after = snapshot()
    changed, new, gone = diff(middle, after)
    assert changed == {
        ("activities.Registration", registration["id"]): {"status", "cancelled_at"}
    }
    assert (new, gone) == ({}, set())
    assert row(Registration, registration["id"])["status"] == (
        Registration.Status.CANCELLED
    )
    assert_nothing_forged(after)


# --- publicity: the monthly news and the digest settings --------------------------------


def test_subscribing_to_the_news_touches_only_my_subscription(client, alice, elsewhere):
    client.force_login(alice.user)
    before = snapshot()

    response = client.post(
        reverse("publicity:news_settings"),
        {"action": "subscribe", **forbidden(**elsewhere), "is_active": "on"},
    )

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    (subscription,) = new["publicity.NewsSubscription"]
    assert set(new) == {"publicity.NewsSubscription"}
    assert (subscription["user_id"], subscription["is_active"]) == (alice.user_id, True)
    assert_nothing_forged(after)


def test_the_digest_settings_set_only_my_own_preference(client, elsewhere):
    me, colleague = LeaderFactory(), OfficialFactory()
    theirs = DigestPreference.objects.create(official=colleague, include_articles=True)
    client.force_login(me.user)
    extras = forbidden(
        skip=("include_articles",), official=colleague.pk, **elsewhere
    ) | {"pk": str(theirs.pk)}
    before = snapshot()

    response = client.post(reverse("publicity:digest_settings"), extras)

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    (preference,) = new["publicity.DigestPreference"]
    assert set(new) == {"publicity.DigestPreference"}
    assert (preference["official_id"], preference["include_articles"]) == (me.pk, False)
    assert row(DigestPreference, theirs.pk)["include_articles"] is True
    assert_nothing_forged(after)


# --- members: unavailability and swaps of duty weeks ------------------------------------

ROTA_NOW = datetime(2026, 3, 4, 10, 0, tzinfo=YINGKOU)


@time_machine.travel(ROTA_NOW, tick=False)
def test_declaring_unavailability_is_always_for_myself(client, db, elsewhere):
    asker, other = DutyRepresentativeFactory(), DutyRepresentativeFactory()
    client.force_login(asker.user)
    extras = forbidden(skip=("reason",), **{**elsewhere, "member": other.pk})
    before = snapshot()

    response = client.post(
        reverse("members:add_unavailability"),
        {
            "starts_on": "2026-04-20",
            "ends_on": "2026-04-22",
            "reason": "住院",
            **extras,
        },
    )

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    (declared,) = new["members.Unavailability"]
    assert set(new) == {"members.Unavailability"}
    assert declared["member_id"] == asker.pk
    assert (declared["starts_on"], declared["ends_on"], declared["reason"]) == (
        date(2026, 4, 20),
        date(2026, 4, 22),
        "住院",
    )
    assert_nothing_forged(after)


@time_machine.travel(ROTA_NOW, tick=False)
def test_asking_for_a_swap_sets_neither_status_taker_nor_week(client, db, elsewhere):
    asker, taker = DutyRepresentativeFactory(), DutyRepresentativeFactory()
    coming = DutyShiftFactory(week_start=date(2026, 3, 9), representative=asker)
    theirs = DutyShiftFactory(week_start=date(2026, 3, 16), representative=taker)
    client.force_login(asker.user)
    extras = forbidden(
        skip=("reason",), **{**elsewhere, "member": taker.pk, "shift": theirs.pk}
    ) | {"status": SwapRequest.Status.ACCEPTED, "week_start": "2026-03-16"}
    before = snapshot()

    response = client.post(
        reverse("members:ask_swap", args=[coming.pk]), {"reason": "出差", **extras}
    )

    assert response.status_code == 302
    after = snapshot()
    changed, new, gone = diff(before, after)
    assert (changed, gone) == ({}, set())
    (swap,) = new["members.SwapRequest"]
    assert set(new) == {"members.SwapRequest"}
    assert (swap["shift_id"], swap["requested_by_id"]) == (coming.pk, asker.pk)
    assert (swap["status"], swap["accepted_by_id"]) == (SwapRequest.Status.OPEN, None)
    assert swap["reason"] == "出差"
    assert_nothing_forged(after)


def test_the_forged_ids_point_at_rows_that_exist(alice, elsewhere):
    """The smuggled ids are real rows: a form that read them would have changed something."""
    assert Enterprise.objects.filter(pk=elsewhere["enterprise"]).exclude(
        pk=alice.enterprise_id
    )
    assert Member.objects.filter(pk=elsewhere["member"]).exclude(pk=alice.pk)
    assert User.objects.filter(pk=elsewhere["user"], is_staff=False)
    assert Department.objects.filter(pk=elsewhere["department"])
