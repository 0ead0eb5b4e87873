"""Sign-up with places and a waiting list, cancelling, promotion and the e-mails (issue 7).

The services are called with an injected `now`, three days before an activity that
starts in a week (ActivityFactory). The race test runs on PostgreSQL only (CHECKS DI-6).
"""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

from activities import emails, services
from activities.models import Activity, Registration
from activities.services import ActivityError
from chamber.models import OutgoingMessage
from chamber.tasks import deliver_message
from tests.factories import ActivityFactory, MemberFactory, StaffFactory
from tests.support.mail import mails_to
from tests.support.words import zh

REGISTERED = Registration.Status.REGISTERED
WAITING = Registration.Status.WAITING
CANCELLED = Registration.Status.CANCELLED


def assert_email_contains(message, *texts: str) -> None:
    """Each text is in the plain body and in the HTML part."""
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in texts:
        assert text in message.body, text
        assert text in html, text


def before(activity: Activity, days: int = 3, seconds: int = 0):
    """A moment `days` before the activity starts (plus `seconds`, to order sign-ups)."""
    return activity.starts_at - timedelta(days=days) + timedelta(seconds=seconds)


def sign_up(activity, member, seconds: int = 0) -> Registration:
    return services.sign_up(
        activity=activity, member=member, now=before(activity, seconds=seconds)
    )


def statuses(activity) -> dict[int, str]:
    """Member id → status of every registration row of the activity."""
    return dict(
        Registration.objects.filter(activity=activity).values_list(
            "member_id", "status"
        )
    )


@pytest.fixture
def activity(db):
    return ActivityFactory(capacity=2)


@pytest.fixture
def carol(db):
    return MemberFactory(enterprise__name="丙公司")


@pytest.fixture
def dave(db):
    return MemberFactory(enterprise__name="丁公司")


# --- signing up -------------------------------------------------------------------------


def test_sign_up_registers_while_places_are_free_then_puts_the_next_on_the_waiting_list(
    activity, alice, bob, carol
):
    first = sign_up(activity, alice, seconds=1)
    second = sign_up(activity, bob, seconds=2)
    third = sign_up(activity, carol, seconds=3)

    assert (first.status, second.status, third.status) == (
        REGISTERED,
        REGISTERED,
        WAITING,
    )
    assert third.created_at == before(activity, seconds=3)
    assert statuses(activity) == {
        alice.pk: REGISTERED,
        bob.pk: REGISTERED,
        carol.pk: WAITING,
    }


def test_signing_up_twice_returns_the_same_registration(activity, alice):
    first = sign_up(activity, alice, seconds=1)

    again = sign_up(activity, alice, seconds=2)

    assert again.pk == first.pk
    assert again.status == REGISTERED
    assert Registration.objects.filter(activity=activity).count() == 1


def test_signing_up_twice_on_the_waiting_list_keeps_one_waiting_row(
    activity, alice, bob, carol
):
    sign_up(activity, alice)
    sign_up(activity, bob)
    waiting = sign_up(activity, carol, seconds=1)

    again = sign_up(activity, carol, seconds=2)

    assert (again.pk, again.status) == (waiting.pk, WAITING)
    assert again.created_at == before(activity, seconds=1)  # keeps its place in line
    assert Registration.objects.filter(activity=activity).count() == 3


def test_no_capacity_means_no_limit(alice, db):
    activity = ActivityFactory(capacity=None)
    members = [alice, *MemberFactory.create_batch(24)]

    registrations = [sign_up(activity, m) for m in members]

    assert {r.status for r in registrations} == {REGISTERED}
    assert (
        Registration.objects.filter(activity=activity, status=REGISTERED).count() == 25
    )


DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "changes, now, message",
    [
        (
            lambda a: {"status": Activity.Status.DRAFT},
            lambda a: a.starts_at - 3 * DAY,
            "This activity is not open for sign-up.",
        ),
        (
            lambda a: {"status": Activity.Status.CANCELLED},
            lambda a: a.starts_at - 3 * DAY,
            "This activity is not open for sign-up.",
        ),
        (
            lambda a: {"signup_opens_at": a.starts_at - 2 * DAY},
            lambda a: a.starts_at - 3 * DAY,
            "Sign-up has not opened yet.",
        ),
        (
            lambda a: {"signup_closes_at": a.starts_at - 4 * DAY},
            lambda a: a.starts_at - 3 * DAY,
            "Sign-up has closed.",
        ),
        (
            lambda a: {},
            lambda a: a.starts_at,
            "This activity has already started.",
        ),
        (
            lambda a: {},
            lambda a: a.starts_at + timedelta(minutes=1),
            "This activity has already started.",
        ),
    ],
    ids=[
        "draft",
        "cancelled",
        "before-opening",
        "after-closing",
        "at-start",
        "started",
    ],
)
def test_sign_up_is_refused_outside_a_published_open_window(
    alice, db, changes, now, message
):
    activity = ActivityFactory(capacity=10)
    Activity.objects.filter(pk=activity.pk).update(**changes(activity))

    with translation.override("zh-hans"), pytest.raises(ActivityError) as refused:
        services.sign_up(activity=activity, member=alice, now=now(activity))

    assert str(refused.value) == zh(message)
    assert not Registration.objects.exists()


def test_sign_up_is_open_from_its_opening_to_its_closing_moment(alice, bob, db):
    activity = ActivityFactory(capacity=10)
    activity.signup_opens_at = before(activity, days=5)
    activity.signup_closes_at = before(activity, days=1)
    activity.save()

    at_opening = services.sign_up(
        activity=activity, member=alice, now=activity.signup_opens_at
    )
    at_closing = services.sign_up(
        activity=activity, member=bob, now=activity.signup_closes_at
    )

    assert (at_opening.status, at_closing.status) == (REGISTERED, REGISTERED)


# --- cancelling and moving up -----------------------------------------------------------


@pytest.fixture
def full(db, alice, bob, carol, dave):
    """Two places taken by Alice and Bob; Carol, then Dave, on the waiting list."""
    activity = ActivityFactory(capacity=2, title="企业家会客厅：民营经济政策解读")
    regs = {
        "alice": sign_up(activity, alice, seconds=1),
        "bob": sign_up(activity, bob, seconds=2),
        "carol": sign_up(activity, carol, seconds=3),
        "dave": sign_up(activity, dave, seconds=4),
    }
    assert [r.status for r in regs.values()] == [
        REGISTERED,
        REGISTERED,
        WAITING,
        WAITING,
    ]
    return activity, regs


def test_cancelling_a_place_moves_the_first_waiting_member_up_and_tells_them_once(
    full, alice, carol, dave, mailoutbox, django_capture_on_commit_callbacks
):
    activity, regs = full
    now = before(activity, days=2)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_registration(
            registration=regs["alice"], member=alice, now=now
        )

    assert promoted.pk == regs["carol"].pk
    regs["alice"].refresh_from_db()
    regs["carol"].refresh_from_db()
    regs["dave"].refresh_from_db()
    assert (regs["alice"].status, regs["alice"].cancelled_at) == (CANCELLED, now)
    assert (regs["carol"].status, regs["carol"].promoted_at) == (REGISTERED, now)
    assert (regs["dave"].status, regs["dave"].promoted_at) == (WAITING, None)
    assert (
        Registration.objects.filter(activity=activity, status=REGISTERED).count() == 2
    )
    assert len(mailoutbox) == 1
    (to_carol,) = mails_to(mailoutbox, carol)
    assert_email_contains(to_carol, activity.title)
    assert mails_to(mailoutbox, dave) == []


def test_the_promotion_notice_asked_for_twice_and_redelivered_sends_once(
    full, alice, carol, mailoutbox, django_capture_on_commit_callbacks
):
    activity, regs = full
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_registration(
            registration=regs["alice"], member=alice, now=before(activity, days=2)
        )
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        emails.promoted(promoted)
    deliver_message.delay(OutgoingMessage.objects.get(kind="activity-promoted").pk)

    assert len(mailoutbox) == 1
    assert len(mails_to(mailoutbox, carol)) == 1


def test_cancelling_a_waiting_registration_moves_nobody_up(
    full, carol, mailoutbox, django_capture_on_commit_callbacks
):
    activity, regs = full

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_registration(
            registration=regs["carol"], member=carol, now=before(activity, days=2)
        )

    assert promoted is None
    assert not OutgoingMessage.objects.filter(kind="activity-promoted").exists()
    assert mailoutbox == []
    assert list(
        Registration.objects.filter(activity=activity)
        .order_by("created_at")
        .values_list("status", flat=True)
    ) == [REGISTERED, REGISTERED, CANCELLED, WAITING]


def test_cancelling_an_already_cancelled_registration_changes_nothing(
    full, alice, django_capture_on_commit_callbacks
):
    activity, regs = full
    with django_capture_on_commit_callbacks(execute=False):
        services.cancel_registration(
            registration=regs["alice"], member=alice, now=before(activity, days=2)
        )
    after_first = statuses(activity)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = services.cancel_registration(
            registration=regs["alice"], member=alice, now=before(activity, days=1)
        )

    assert again is None
    assert callbacks == []
    assert statuses(activity) == after_first
    regs["alice"].refresh_from_db()
    assert regs["alice"].cancelled_at == before(activity, days=2)


@pytest.mark.parametrize("after", [timedelta(0), timedelta(minutes=30)])
def test_cancelling_after_the_start_is_refused(full, alice, after):
    activity, regs = full
    unchanged = statuses(activity)

    with translation.override("zh-hans"), pytest.raises(ActivityError) as refused:
        services.cancel_registration(
            registration=regs["alice"], member=alice, now=activity.starts_at + after
        )

    assert str(refused.value) == zh("The activity has started; cancelling is closed.")
    assert statuses(activity) == unchanged
    regs["alice"].refresh_from_db()
    assert regs["alice"].cancelled_at is None


def test_another_members_registration_cannot_be_cancelled(
    full, bob, mailoutbox, django_capture_on_commit_callbacks
):
    activity, regs = full
    unchanged = statuses(activity)

    with (
        django_capture_on_commit_callbacks(execute=True),
        translation.override("zh-hans"),
        pytest.raises(ActivityError) as refused,
    ):
        services.cancel_registration(
            registration=regs["alice"], member=bob, now=before(activity, days=2)
        )

    assert str(refused.value) == zh("This is not your registration.")
    assert statuses(activity) == unchanged
    regs["alice"].refresh_from_db()
    assert regs["alice"].cancelled_at is None
    assert mailoutbox == []


def test_a_member_who_cancelled_can_sign_up_again_at_the_end_of_the_line(
    full, alice, django_capture_on_commit_callbacks
):
    activity, regs = full
    with django_capture_on_commit_callbacks(execute=False):
        services.cancel_registration(
            registration=regs["alice"], member=alice, now=before(activity, days=2)
        )

    again = services.sign_up(
        activity=activity, member=alice, now=before(activity, days=1)
    )

    assert again.pk != regs["alice"].pk
    assert again.status == WAITING  # Carol took the place; Dave is ahead in line
    assert Registration.objects.filter(activity=activity, member=alice).count() == 2


# --- cancelling the activity ------------------------------------------------------------


def test_cancelling_the_activity_tells_everyone_registered_or_waiting_once(
    full, alice, bob, carol, dave, mailoutbox, django_capture_on_commit_callbacks
):
    activity, regs = full
    with django_capture_on_commit_callbacks(execute=False):
        services.cancel_registration(
            registration=regs["dave"], member=dave, now=before(activity, days=2)
        )
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.cancel_activity(activity=activity, actor=staff)

    assert cancelled.status == Activity.Status.CANCELLED
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert len(mailoutbox) == 3
    for person in (alice, bob, carol):
        (message,) = mails_to(mailoutbox, person)
        assert_email_contains(message, activity.title)
    assert mails_to(mailoutbox, dave) == []  # he had cancelled already


def test_cancelling_the_activity_twice_and_redelivering_its_senders_sends_nothing_twice(
    full, mailoutbox, django_capture_on_commit_callbacks
):
    activity, _regs = full
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_activity(activity=activity, actor=staff)
    sent = sorted(address for m in mailoutbox for address in m.to)
    assert len(sent) == 4

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.cancel_activity(activity=activity, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        emails.cancelled(activity)
    for pk in OutgoingMessage.objects.filter(kind="activity-cancelled").values_list(
        "pk", flat=True
    ):
        deliver_message.delay(pk)

    assert callbacks == []
    assert sorted(address for m in mailoutbox for address in m.to) == sent


def test_leaving_a_cancelled_activity_moves_nobody_up_and_sends_no_promotion(
    full, alice, carol, mailoutbox, django_capture_on_commit_callbacks
):
    """A cancelled activity has no places to give: Carol must not be told she moved up.

    Refusing the cancellation (ActivityError) or accepting it without a promotion are
    both fine; promoting Carol is not.
    """
    activity, regs = full
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_activity(activity=activity, actor=StaffFactory())
    told_of_cancellation = len(mailoutbox)

    promoted = None

    with (
        django_capture_on_commit_callbacks(execute=True),
        contextlib.suppress(ActivityError),
    ):
        promoted = services.cancel_registration(
            registration=regs["alice"], member=alice, now=before(activity, days=2)
        )

    regs["carol"].refresh_from_db()
    assert (regs["carol"].status, regs["carol"].promoted_at) == (WAITING, None)
    assert promoted is None
    assert len(mailoutbox) == told_of_cancellation
    assert len(mails_to(mailoutbox, carol)) == 1  # the cancellation only


def test_sign_up_for_a_cancelled_activity_is_refused_after_cancelling(
    full, django_capture_on_commit_callbacks
):
    activity, _regs = full
    with django_capture_on_commit_callbacks(execute=False):
        services.cancel_activity(activity=activity, actor=StaffFactory())

    with pytest.raises(ActivityError):
        sign_up(activity, MemberFactory())

    assert Registration.objects.filter(activity=activity).count() == 4


# --- concurrency (PostgreSQL) -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_n_plus_5_members_signing_up_at_once_fill_n_places_and_5_wait():
    places = 5
    activity = ActivityFactory(capacity=places)
    members = MemberFactory.create_batch(places + 5)
    now = before(activity)
    barrier = threading.Barrier(len(members))
    outcomes: dict[int, str] = {}
    failures: list[BaseException] = []

    def race(member) -> None:
        try:
            barrier.wait(timeout=10)
            registration = services.sign_up(activity=activity, member=member, now=now)
            outcomes[member.pk] = registration.status
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=race, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(outcomes.values()) == [REGISTERED] * places + [WAITING] * 5
    rows = Registration.objects.filter(activity=activity)
    assert rows.count() == places + 5
    assert rows.filter(status=REGISTERED).count() == places
    assert rows.filter(status=WAITING).count() == 5
    assert statuses(activity) == outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_member_signing_up_twice_at_once_gets_one_registration():
    activity = ActivityFactory(capacity=5)
    member = MemberFactory()
    now = before(activity)
    barrier = threading.Barrier(2)
    pks: list[int] = []
    failures: list[BaseException] = []

    def tap() -> None:
        try:
            barrier.wait(timeout=10)
            pks.append(services.sign_up(activity=activity, member=member, now=now).pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert Registration.objects.filter(activity=activity).count() == 1
    assert set(pks) == {Registration.objects.get(activity=activity).pk}
