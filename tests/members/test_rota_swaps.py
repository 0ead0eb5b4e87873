"""Unavailability and swaps of duty weeks: who may ask, who is told, who may take, and lapses.

The services are called with an injected `today`, Wednesday 4 March 2026; the week under
test is Monday 9 to Friday 13 March 2026, held by 刘建国. The page tests travel to the
same Wednesday, 10:00 in Yingkou.
"""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from members.models import (
    DutyShift,
    Enterprise,
    ShiftChange,
    SwapRequest,
    Unavailability,
)
from members.services import rota
from members.services.rota import RotaError
from tests.factories import (
    DutyRepresentativeFactory,
    DutyShiftFactory,
    MemberFactory,
    StaffFactory,
    UnavailabilityFactory,
)
from tests.support.mail import mails_to
from tests.support.words import zh

YINGKOU = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 4)  # a Wednesday
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=YINGKOU)
WEEK = date(2026, 3, 9)  # Monday 9 – Friday 13 March
MY_SHIFTS = reverse("members:my_shifts")


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def assert_email_contains(message, *texts: str) -> None:
    """Each text is in the plain body and in the HTML part."""
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in texts:
        assert text in message.body, text
        assert text in html, text


@pytest.fixture
def asker(db):
    return DutyRepresentativeFactory(user__full_name="刘建国")


@pytest.fixture
def taker(db):
    return DutyRepresentativeFactory(user__full_name="王芳")


@pytest.fixture
def other(db):
    return DutyRepresentativeFactory(user__full_name="赵敏")


@pytest.fixture
def secretariat(db):
    return StaffFactory(full_name="秘书处小王")


@pytest.fixture
def shift(asker):
    return DutyShiftFactory(week_start=WEEK, representative=asker)


@pytest.fixture
def ineligible(db):
    """Members who cannot take the week: they must not be asked, and cannot accept."""
    expired = DutyRepresentativeFactory(term__ends_on=date(2026, 3, 6))
    away = DutyRepresentativeFactory()
    UnavailabilityFactory(
        member=away, starts_on=date(2026, 3, 11), ends_on=date(2026, 3, 11)
    )
    return {
        "term over": expired,
        "unavailable": away,
        "no duty title": MemberFactory(),
        "inactive": DutyRepresentativeFactory(user__is_active=False),
        "enterprise left": DutyRepresentativeFactory(
            enterprise__status=Enterprise.Status.LEFT
        ),
    }


def ask(shift, member, *, reason: str = "", today: date = TODAY) -> SwapRequest:
    return rota.ask_swap(shift=shift, member=member, reason=reason, today=today)


def test_nothing_is_sent_for_a_request_or_a_declaration_that_was_rolled_back(
    shift, asker, taker, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            ask(shift, asker)
            raise RuntimeError("the request failed after the swap was written")
        with pytest.raises(RuntimeError), transaction.atomic():
            rota.declare_unavailability(
                member=asker, starts_on=WEEK, ends_on=WEEK, today=TODAY
            )
            raise RuntimeError("the request failed after the days were written")

    assert queued == []
    assert mailoutbox == []
    assert not SwapRequest.objects.exists()
    assert not Unavailability.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        ask(shift, asker)

    assert len(queued) == 1
    assert recipients(mailoutbox) == [taker.user.email]


# --- declaring unavailability ---------------------------------------------------------


def test_unavailability_in_a_coming_week_opens_a_swap_and_tells_staff(
    shift, asker, taker, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unavailability, swaps = rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 10),
            ends_on=date(2026, 3, 11),
            reason="外出参加培训",
            today=TODAY,
        )

    (swap,) = swaps
    assert swap.shift == shift
    assert swap.status == SwapRequest.Status.OPEN
    assert swap.requested_by == asker
    assert swap.reason == "外出参加培训"
    (to_staff,) = mails_to(mailoutbox, secretariat)
    assert_email_contains(
        to_staff, "刘建国", "2026-03-10", "2026-03-11", "外出参加培训"
    )
    assert to_staff.subject == zh("%(name)s cannot serve a duty week already given") % {
        "name": "刘建国"
    }
    assert len(mails_to(mailoutbox, taker)) == 1  # the swap request went out too
    assert mails_to(mailoutbox, asker) == []
    shift.refresh_from_db()
    assert shift.representative == asker  # on duty until someone takes the week


def test_unavailability_outside_any_duty_week_of_theirs_opens_nothing_and_tells_nobody(
    shift, asker, taker, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _unavailability, swaps = rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 16),
            ends_on=date(2026, 3, 20),
            today=TODAY,
        )

    assert swaps == []
    assert not SwapRequest.objects.exists()
    assert mailoutbox == []
    assert Unavailability.objects.filter(member=asker).count() == 1


def test_a_second_declaration_in_the_same_week_opens_no_second_request(
    shift, asker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 10),
            ends_on=date(2026, 3, 10),
            today=TODAY,
        )
        _u, swaps = rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 12),
            ends_on=date(2026, 3, 12),
            today=TODAY,
        )

    assert swaps == []
    assert SwapRequest.objects.filter(shift=shift).count() == 1


def test_days_off_inside_the_week_under_way_are_told_to_staff(
    shift, asker, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    from members.selectors import unavailability_conflicts

    tuesday = date(2026, 3, 10)

    with django_capture_on_commit_callbacks(execute=True):
        rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 12),
            ends_on=date(2026, 3, 13),
            reason="突发疾病",
            today=tuesday,
        )

    told = mails_to(mailoutbox, secretariat) or unavailability_conflicts(since=tuesday)
    assert told


def test_days_already_past_are_refused(asker):
    with pytest.raises(RotaError) as refused:
        rota.declare_unavailability(
            member=asker,
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 3),
            today=TODAY,
        )

    assert str(refused.value) == zh("These days are already past.")
    assert not Unavailability.objects.exists()


def test_a_representative_can_withdraw_their_own_unavailability_only(asker, taker):
    mine = UnavailabilityFactory(member=asker, starts_on=WEEK, ends_on=WEEK)

    with pytest.raises(RotaError):
        rota.withdraw_unavailability(unavailability=mine, member=taker)
    assert Unavailability.objects.filter(pk=mine.pk).exists()

    rota.withdraw_unavailability(unavailability=mine, member=asker)
    assert not Unavailability.objects.exists()


# --- asking -----------------------------------------------------------------------------


def test_asking_tells_the_other_eligible_representatives_only(
    shift,
    asker,
    taker,
    other,
    ineligible,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(shift, asker, reason="家中有事")

    assert recipients(mailoutbox) == sorted([taker.user.email, other.user.email])
    message = mails_to(mailoutbox, taker)[0]
    assert message.subject == zh(
        "%(name)s asks someone to take the duty week of %(week)s"
    ) % {"name": "刘建国", "week": "2026-03-09"}
    assert_email_contains(message, "刘建国", "2026-03-09至03-13", "家中有事", MY_SHIFTS)


def test_only_the_representative_of_the_week_can_ask_to_swap_it(shift, taker):
    with pytest.raises(RotaError) as refused:
        ask(shift, taker)

    assert str(refused.value) == zh(
        "Only the representative on that week can ask to swap it."
    )
    assert not SwapRequest.objects.exists()


@pytest.mark.parametrize("today", [WEEK, date(2026, 3, 11), date(2026, 3, 20)])
def test_a_week_that_has_started_cannot_be_offered(shift, asker, today):
    with pytest.raises(RotaError):
        ask(shift, asker, today=today)

    assert not SwapRequest.objects.exists()


def test_a_week_has_at_most_one_open_request(shift, asker):
    ask(shift, asker)

    with pytest.raises(RotaError) as refused:
        ask(shift, asker)

    assert str(refused.value) == zh("This week already has an open swap request.")
    assert SwapRequest.objects.count() == 1


def test_the_database_refuses_a_second_open_request_for_a_week(shift, asker):
    SwapRequest.objects.create(shift=shift, requested_by=asker)

    with pytest.raises(IntegrityError), transaction.atomic():
        SwapRequest.objects.create(shift=shift, requested_by=asker)


def test_after_a_withdrawal_the_week_can_be_offered_again(shift, asker):
    first = ask(shift, asker)
    rota.withdraw_swap(swap=first, member=asker)

    again = ask(shift, asker)

    assert again.status == SwapRequest.Status.OPEN
    assert SwapRequest.objects.count() == 2


# --- accepting -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_accepting_moves_the_week_records_both_names_and_tells_asker_and_staff(
    shift,
    asker,
    taker,
    other,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    swap = ask(shift, asker, reason="外出")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rota.accept_swap(swap=swap, member=taker, today=TODAY)

    shift.refresh_from_db()
    assert shift.representative == taker
    assert shift.source == DutyShift.Source.SWAP
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.ACCEPTED
    assert swap.accepted_by == taker
    assert swap.resolved_at == NOW
    change = shift.changes.get()
    assert change.kind == ShiftChange.Kind.SWAP
    assert (change.from_member, change.to_member) == (asker, taker)
    assert change.actor == taker.user
    assert change.created_at == NOW
    assert recipients(mailoutbox) == sorted([asker.user.email, secretariat.email])
    for message in mailoutbox:
        assert message.subject == zh("The duty week of %(week)s was taken") % {
            "week": "2026-03-09"
        }
        assert_email_contains(
            message, "王芳", "刘建国", "2026-03-09", "2026-03-04 10:00"
        )


def test_the_asker_cannot_accept_their_own_request(shift, asker):
    swap = ask(shift, asker)

    with pytest.raises(RotaError) as refused:
        rota.accept_swap(swap=swap, member=asker, today=TODAY)

    assert str(refused.value) == zh("You cannot take your own week.")
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN


@pytest.mark.parametrize(
    "who", ["term over", "unavailable", "no duty title", "inactive", "enterprise left"]
)
def test_a_member_who_could_not_serve_the_week_cannot_take_it(
    shift, asker, ineligible, who
):
    swap = ask(shift, asker)

    with pytest.raises(RotaError):
        rota.accept_swap(swap=swap, member=ineligible[who], today=TODAY)

    shift.refresh_from_db()
    assert shift.representative == asker
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN
    assert not shift.changes.exists()


def test_a_request_already_taken_cannot_be_taken_again(shift, asker, taker, other):
    swap = ask(shift, asker)
    rota.accept_swap(swap=swap, member=taker, today=TODAY)

    with pytest.raises(RotaError) as refused:
        rota.accept_swap(swap=swap, member=other, today=TODAY)

    assert str(refused.value) == zh(
        "Someone else has already taken this week, or the request was withdrawn."
    )
    shift.refresh_from_db()
    assert shift.representative == taker
    assert shift.changes.count() == 1


def test_a_request_cannot_be_taken_once_the_week_has_started(shift, asker, taker):
    swap = ask(shift, asker)

    with pytest.raises(RotaError):
        rota.accept_swap(swap=swap, member=taker, today=WEEK)

    shift.refresh_from_db()
    assert shift.representative == asker


def test_a_withdrawn_request_cannot_be_taken_and_the_week_stays_with_the_asker(
    shift, asker, taker
):
    swap = ask(shift, asker)

    rota.withdraw_swap(swap=swap, member=asker)

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.CANCELLED
    assert swap.resolved_at is not None
    with pytest.raises(RotaError):
        rota.accept_swap(swap=swap, member=taker, today=TODAY)
    with pytest.raises(RotaError):
        rota.withdraw_swap(swap=swap, member=asker)
    shift.refresh_from_db()
    assert shift.representative == asker


def test_only_the_asker_can_withdraw(shift, asker, taker):
    swap = ask(shift, asker)

    with pytest.raises(RotaError):
        rota.withdraw_swap(swap=swap, member=taker)

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_representatives_accepting_at_once_cannot_both_win():
    asker = DutyRepresentativeFactory()
    takers = [DutyRepresentativeFactory(), DutyRepresentativeFactory()]
    shift = DutyShiftFactory(week_start=WEEK, representative=asker)
    swap = ask(shift, asker)
    barrier = threading.Barrier(len(takers))
    outcome: dict[int, str] = {}

    def take(member) -> None:
        try:
            barrier.wait(timeout=10)
            rota.accept_swap(swap=swap, member=member, today=TODAY)
            outcome[member.pk] = "took"
        except RotaError:
            outcome[member.pk] = "refused"
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=take, args=(m,)) for m in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.values()) == ["refused", "took"]
    winner = next(pk for pk, result in outcome.items() if result == "took")
    shift.refresh_from_db()
    assert shift.representative_id == winner
    assert list(shift.changes.values_list("kind", "to_member")) == [
        (ShiftChange.Kind.SWAP, winner)
    ]
    swap.refresh_from_db()
    assert swap.accepted_by_id == winner


# --- lapsing ----------------------------------------------------------------------------


def test_a_request_nobody_took_lapses_when_the_week_starts_and_the_asker_is_told_once(
    shift, asker, taker, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    swap = ask(shift, asker)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = rota.run_rota_day(today=shift.first_day)

    assert result["lapsed"] == 1
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.LAPSED
    shift.refresh_from_db()
    assert shift.representative == asker
    (to_asker,) = mails_to(mailoutbox, asker)
    assert to_asker.subject == zh("Nobody took the duty week of %(week)s") % {
        "week": "2026-03-09"
    }
    assert_email_contains(to_asker, "刘建国", "2026-03-09")
    assert len(mails_to(mailoutbox, secretariat)) == 1
    assert mails_to(mailoutbox, taker) == []

    with django_capture_on_commit_callbacks(execute=True):
        again = rota.run_rota_day(today=shift.first_day)
        later = rota.run_rota_day(today=shift.first_day + timedelta(days=1))

    assert again["lapsed"] == later["lapsed"] == 0
    assert len(mailoutbox) == 2


def test_the_day_before_the_week_an_open_request_is_still_open(shift, asker):
    swap = ask(shift, asker)

    rota.run_rota_day(today=date(2026, 3, 8))

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN


def test_the_lapse_task_runs_the_rota_day(shift, asker, mailoutbox):
    from members.tasks import run_rota_day

    swap = ask(shift, asker)

    run_rota_day.delay(shift.first_day.isoformat())

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.LAPSED


# --- the pages ---------------------------------------------------------------------------


@pytest.fixture
def on_wednesday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def coming(on_wednesday, asker):
    """The week of 9 March 2026 held by the asker, seen on Wednesday 4 March."""
    return DutyShiftFactory(week_start=WEEK, representative=asker)


def follow(client, url, data=None):
    return client.post(url, data or {}, follow=True)


def test_declaring_days_on_my_page_opens_a_swap_and_says_so_in_chinese(
    client,
    coming,
    asker,
    taker,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(asker.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = follow(
            client,
            reverse("members:add_unavailability"),
            {"starts_on": "2026-03-10", "ends_on": "2026-03-12", "reason": "住院"},
        )

    assert response.redirect_chain == [(MY_SHIFTS, 302)]
    assertContains(
        response, zh("Saved. Staff will be told if it falls in one of your duty weeks.")
    )
    assertContains(response, zh("Swap requested: waiting for a taker"))
    assertContains(response, "2026-03-10 – 2026-03-12 · 住院")
    assert SwapRequest.objects.filter(shift=coming, status="open").count() == 1
    assert len(mails_to(mailoutbox, secretariat)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_on": "", "ends_on": ""}, "这个字段是必填项。"),
        (
            {"starts_on": "2026-03-12", "ends_on": "2026-03-10"},
            "The last day cannot be before the first day.",
        ),
        (
            {"starts_on": "2026-03-02", "ends_on": "2026-03-03"},
            "These days are already past.",
        ),
        ({"starts_on": "3月10日", "ends_on": "2026-03-12"}, "Enter a valid date."),
    ],
)
def test_a_wrong_declaration_is_refused_with_a_chinese_message(
    client, coming, asker, data, message
):
    client.force_login(asker.user)

    response = follow(client, reverse("members:add_unavailability"), data)

    assertContains(response, zh(message))
    assert not Unavailability.objects.exists()
    assert not SwapRequest.objects.exists()


def test_a_representative_removes_their_own_unavailability(client, coming, asker):
    mine = UnavailabilityFactory(member=asker, starts_on=date(2026, 3, 20))
    client.force_login(asker.user)

    response = follow(client, reverse("members:delete_unavailability", args=[mine.pk]))

    assertContains(response, zh("Removed."))
    assert not Unavailability.objects.exists()


def test_a_representative_cannot_remove_another_ones_unavailability(
    client, coming, asker, taker
):
    theirs = UnavailabilityFactory(member=taker, starts_on=date(2026, 3, 20))
    client.force_login(asker.user)

    response = client.post(reverse("members:delete_unavailability", args=[theirs.pk]))

    assert response.status_code == 404
    assert Unavailability.objects.filter(pk=theirs.pk).exists()


def test_asking_on_my_page_shows_the_badge_and_the_others_can_take_the_week(
    client, coming, asker, taker, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(asker.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = follow(
            client, reverse("members:ask_swap", args=[coming.pk]), {"reason": "出差"}
        )

    assertContains(response, zh("Your request was sent to the other representatives."))
    assertContains(response, zh("Swap requested: waiting for a taker"))
    assertContains(response, zh("Withdraw the request"))
    swap = SwapRequest.objects.get()
    assert swap.reason == "出差"
    assert recipients(mailoutbox) == [taker.user.email]

    client.force_login(taker.user)
    page = client.get(MY_SHIFTS)
    assertContains(page, zh("Weeks you could take"))
    assertContains(page, reverse("members:accept_swap", args=[swap.pk]))
    assertContains(page, "出差")


def test_a_representative_cannot_ask_to_swap_someone_elses_week(client, coming, taker):
    client.force_login(taker.user)

    response = client.post(reverse("members:ask_swap", args=[coming.pk]))

    assert response.status_code == 404
    assert not SwapRequest.objects.exists()


def test_taking_a_week_on_my_page_and_a_second_taker_is_told_it_is_gone(
    client,
    coming,
    asker,
    taker,
    other,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    swap = ask(coming, asker)
    url = reverse("members:accept_swap", args=[swap.pk])
    client.force_login(taker.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = follow(client, url)

    assertContains(response, zh("You took the week. Thank you!"))
    assertContains(
        response, zh("%(first)s to %(last)s") % {"first": "2026-03-09", "last": "03-13"}
    )
    coming.refresh_from_db()
    assert coming.representative == taker

    client.force_login(other.user)
    second = follow(client, url)

    assertContains(
        second,
        zh("Someone else has already taken this week, or the request was withdrawn."),
    )
    coming.refresh_from_db()
    assert coming.representative == taker
    assert coming.changes.count() == 1


def test_the_asker_cannot_take_their_own_week_on_the_page(client, coming, asker):
    swap = ask(coming, asker)
    client.force_login(asker.user)

    response = client.post(reverse("members:accept_swap", args=[swap.pk]))

    assert response.status_code == 404
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.OPEN


def test_a_representative_who_cannot_serve_that_week_is_refused_on_the_page(
    client, coming, asker, taker
):
    UnavailabilityFactory(
        member=taker, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13)
    )
    swap = ask(coming, asker)
    client.force_login(taker.user)

    response = follow(client, reverse("members:accept_swap", args=[swap.pk]))

    assertContains(
        response,
        zh("You hold no duty title for that week, or declared it unavailable."),
    )
    assertNotContains(response, reverse("members:accept_swap", args=[swap.pk]))
    coming.refresh_from_db()
    assert coming.representative == asker


def test_withdrawing_on_my_page_keeps_the_week(client, coming, asker, taker):
    swap = ask(coming, asker)
    client.force_login(asker.user)

    response = follow(client, reverse("members:withdraw_swap", args=[swap.pk]))

    assertContains(response, zh("Your request was withdrawn; the week stays yours."))
    assertNotContains(response, zh("Swap requested: waiting for a taker"))
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.CANCELLED
    client.force_login(taker.user)
    response = client.post(reverse("members:withdraw_swap", args=[swap.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "add_unavailability",
        "ask_swap",
        "accept_swap",
        "withdraw_swap",
        "delete_unavailability",
    ],
)
def test_swap_and_unavailability_actions_answer_get_with_405(
    client, coming, asker, name
):
    client.force_login(asker.user)
    args = [] if name == "add_unavailability" else [1]

    response = client.get(reverse(f"members:{name}", args=args))

    assert response.status_code == 405


def test_a_notice_asked_for_again_or_redelivered_sends_nothing_twice(
    shift,
    asker,
    taker,
    other,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from chamber.models import OutgoingMessage
    from chamber.tasks import deliver_message
    from members import emails

    with django_capture_on_commit_callbacks(execute=True):
        swap = ask(shift, asker)
    first = len(mailoutbox)
    assert first >= 1

    # The notice decided again, and every sender task delivered again (acks_late).
    with django_capture_on_commit_callbacks(execute=True):
        emails.swap_requested(swap.pk)
    for pk in OutgoingMessage.objects.values_list("pk", flat=True):
        deliver_message.delay(pk)
    assert len(mailoutbox) == first
    with django_capture_on_commit_callbacks(execute=True):
        rota.accept_swap(swap=swap, member=taker, today=TODAY)
    after_accept = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        emails.swap_accepted(swap.pk)

    assert len(mailoutbox) == after_accept
    assert after_accept > first
