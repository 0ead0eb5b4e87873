"""What a representative, a member and the secretariat would hit in the first week (issue 16).

- item 9: during their duty week a representative's home leads with 本周您坐班 · 登记来访;
- item 11: the rota pages open at this week; the staff generator proposes the next
  quarter not yet planned; a duty week's span is its working days, written the same way
  on every page, e-mail and calendar feed;
- item 15: an office phone keeps the form it was written in and is still checked;
- the demo: demo-rep is on duty this week (or has a week coming) whatever the day the
  demo is seeded, so the duty log and a swap request can be tried at once.

The National Day week of 2026 (5 to 11 October) has three working days, Thursday 8 to
Saturday 10 (a make-up day): its span is "2026-10-08至10-10", not Monday to Sunday.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, serializers
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from chamber.models import WorkdayOverride
from members import demo, emails
from members.models import (
    CalendarFeed,
    DutyLogEntry,
    DutyShift,
    Enterprise,
    Member,
    ShiftChange,
    ShiftReminder,
    SwapRequest,
)
from members.services import feeds
from members.services.duty_log import shift_on_duty
from tests.factories import (
    DutyLogEntryFactory,
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
    MemberFactory,
    StaffFactory,
)
from tests.support.words import zh

YINGKOU = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_WEEK = date(2026, 10, 5)
ROTA = reverse("members:rota")
STAFF_ROTA = reverse("members:staff_rota")
DUTY_LOG = reverse("members:duty_log")


def span_text(first: str, last: str) -> str:
    """A week's span as the rota has always written it: "2026-10-08至10-10"."""
    return zh("%(first)s to %(last)s") % {"first": first, "last": last}


def at(year: int, month: int, day: int, hour: int = 10):
    return time_machine.travel(
        datetime(year, month, day, hour, 0, tzinfo=YINGKOU), tick=False
    )


# --- item 9: the representative's home during their duty week ---------------------------


@pytest.fixture
def rep(db):
    return DutyRepresentativeFactory(user__full_name="刘建国")


def test_a_representatives_home_leads_with_recording_a_visitor_in_their_duty_week(
    client, rep
):
    DutyShiftFactory(week_start=NATIONAL_DAY_WEEK, representative=rep)

    with at(2026, 10, 9):
        client.force_login(rep.user)
        html = client.get("/").content.decode()

    card = html.index('id="duty-now"')
    assert zh("You are on duty this week") == "本周您坐班"
    assert zh("Record a visitor") == "登记来访"
    assert html.index(zh("You are on duty this week")) > card
    assert f'href="{DUTY_LOG}#record"' in html[card:]
    assert html.index(zh("Record a visitor"), card) < html.index(zh("Your enterprise"))
    assert span_text("2026-10-08", "10-10") in html[card:]


def test_no_duty_card_outside_the_duty_week_or_for_a_plain_member(client, rep):
    DutyShiftFactory(
        week_start=NATIONAL_DAY_WEEK + timedelta(days=7), representative=rep
    )
    member = MemberFactory()

    for user in (rep.user, member.user):
        with at(2026, 10, 9):
            client.force_login(user)
            response = client.get("/")
        assertNotContains(response, zh("You are on duty this week"))
        assertNotContains(response, 'id="duty-now"')


# --- item 11: the rota pages open at this week ------------------------------------------


@pytest.fixture
def second_half_of_2026(db):
    """A shift for every week from July to the end of 2026."""
    DutyStudioFactory()
    week, shifts = date(2026, 7, 6), []
    while week <= date(2026, 12, 28):
        shifts.append(DutyShiftFactory(week_start=week))
        week += timedelta(days=7)
    return shifts


def _label(shift: DutyShift) -> str:
    last = shift.last_day
    return span_text(f"{shift.first_day:%Y-%m-%d}", f"{last:%m-%d}")


@pytest.mark.parametrize("url", [ROTA, STAFF_ROTA])
def test_the_rota_pages_open_at_this_week_not_at_july(client, second_half_of_2026, url):
    user = StaffFactory() if url == STAFF_ROTA else MemberFactory().user
    this_week = next(
        s for s in second_half_of_2026 if s.week_start == date(2026, 12, 7)
    )
    july = second_half_of_2026[0]

    with at(2026, 12, 9):
        client.force_login(user)  # the session's 12 hours count from now
        html = client.get(url).content.decode()

    first_shown = min(second_half_of_2026, key=lambda s: html.index(_label(s)))
    assert first_shown == this_week
    # The weeks before this one are still there, folded away below the coming ones.
    assert html.index(_label(this_week)) < html.index("<details")
    assert html.index("<details") < html.index(_label(july))


# --- item 11: the generator proposes the next quarter not yet planned -------------------


def _proposed(client) -> tuple[str, str]:
    staff = StaffFactory()
    with at(2026, 12, 9):
        client.force_login(staff)
        response = client.get(STAFF_ROTA)
    initial = response.context["form"].initial
    for value in initial.values():
        assertContains(response, f'value="{value:%Y-%m-%d}"')
    return f"{initial['first']:%Y-%m-%d}", f"{initial['last']:%Y-%m-%d}"


def test_the_generator_proposes_the_next_quarter_once_this_one_is_planned(
    client, second_half_of_2026
):
    assert _proposed(client) == ("2027-01-01", "2027-03-31")


def test_the_generator_proposes_the_rest_of_this_quarter_from_next_week_when_unplanned(
    client, db
):
    for week in (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)):
        DutyShiftFactory(week_start=week)

    assert _proposed(client) == ("2026-12-14", "2026-12-31")


def test_the_generator_skips_quarters_already_planned(client, second_half_of_2026):
    week = date(2026, 12, 28)
    while week < date(2027, 3, 29):
        week += timedelta(days=7)
        DutyShiftFactory(week_start=week)

    assert _proposed(client) == ("2027-04-01", "2027-06-30")


# --- item 11: a duty week's span is the same everywhere ---------------------------------


@pytest.fixture
def national_day_shift(rep):
    DutyStudioFactory()
    shift = DutyShiftFactory(week_start=NATIONAL_DAY_WEEK, representative=rep)
    DutyLogEntryFactory(shift=shift, visitor_name="王先生")
    return shift


def test_a_duty_week_is_written_as_its_working_days_on_every_page(
    client, rep, national_day_shift
):
    expected = span_text("2026-10-08", "10-10")
    entry = DutyLogEntry.objects.get()
    staff = StaffFactory()
    pages = [
        (rep.user, "/"),
        (rep.user, ROTA),
        (rep.user, reverse("members:my_shifts")),
        (rep.user, DUTY_LOG),
        (staff, STAFF_ROTA),
        (staff, reverse("members:edit_shift", args=[national_day_shift.pk])),
        (staff, reverse("members:log_entry", args=[entry.pk])),
    ]

    for user, url in pages:
        with at(2026, 10, 9):
            client.force_login(user)
            response = client.get(url)
        assertContains(response, expected, msg_prefix=url)
        assertNotContains(response, "2026-10-05", msg_prefix=url)
        assertNotContains(response, "10-11", msg_prefix=url)


def test_a_duty_week_is_written_the_same_in_the_reminder_and_the_calendar(
    client, rep, national_day_shift, django_capture_on_commit_callbacks
):
    reminder = ShiftReminder.objects.create(
        shift=national_day_shift, member=rep, kind=ShiftReminder.Kind.WEEK_BEFORE
    )
    token = feeds.renew_feed(user=rep.user, kind=CalendarFeed.Kind.MY_SHIFTS)

    with django_capture_on_commit_callbacks(execute=True):
        emails.shift_reminders([reminder])
    ics = client.get(reverse("members:feed", args=[token])).content.decode()

    (message,) = mail.outbox
    assert "2026-10-08" in message.subject
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "2026-10-08至10-10" in body, body
    assert "DTSTART;TZID=Asia/Shanghai:20261008T090000" in ics
    assert "DTEND;TZID=Asia/Shanghai:20261010T170000" in ics


def test_a_day_off_entered_by_staff_moves_the_span_shown(
    client, rep, national_day_shift
):
    WorkdayOverride.objects.create(day=date(2026, 10, 10), is_working_day=False)

    with at(2026, 10, 9):
        client.force_login(rep.user)
        response = client.get(ROTA)

    assertContains(response, span_text("2026-10-08", "10-09"))


# --- item 15: phone numbers as people write them ----------------------------------------


@pytest.fixture
def member_in(client, db):
    member = MemberFactory()
    client.force_login(member.user)
    return member


def _edit_phone(client, member, phone: str):
    return client.post(
        reverse("members:enterprise_edit", args=[member.enterprise_id]),
        {"introduction": "", "phone": phone, "website": "", "address": "西市区"},
    )


def test_an_office_phone_keeps_its_hyphen_and_the_page_shows_it_so(client, member_in):
    response = _edit_phone(client, member_in, "0417-2800001")

    assert response.status_code == 302
    member_in.enterprise.refresh_from_db()
    assert member_in.enterprise.phone == "0417-2800001"
    page = client.get(reverse("members:enterprise", args=[member_in.enterprise_id]))
    assertContains(page, 'href="tel:0417-2800001">0417-2800001</a>', html=False)


def test_a_phone_typed_with_full_width_digits_is_kept_in_its_form_in_ascii(
    client, member_in
):
    _edit_phone(client, member_in, "（０４１７）２８００００１")

    member_in.enterprise.refresh_from_db()
    assert member_in.enterprise.phone == "(0417)2800001"


@pytest.mark.parametrize("phone", ["0417-28", "call us", "0417-2800001转"])
def test_a_wrong_phone_is_still_refused(client, member_in, phone):
    before = member_in.enterprise.phone

    response = _edit_phone(client, member_in, phone)

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    member_in.enterprise.refresh_from_db()
    assert member_in.enterprise.phone == before


def test_phones_stored_as_digits_before_stay_valid(db):
    enterprise = Enterprise.objects.get(pk=MemberFactory().enterprise_id)
    Enterprise.objects.filter(pk=enterprise.pk).update(phone="04172800001")
    enterprise.refresh_from_db()

    enterprise.full_clean()


def test_a_visitors_phone_in_the_duty_log_keeps_its_form_and_is_checked(
    client, rep, national_day_shift
):
    data = {
        "visitor_name": "李女士",
        "visited_at": "2026-10-09T09:30",
        "subject": "咨询稳岗补贴",
    }

    with at(2026, 10, 9):
        client.force_login(rep.user)
        refused = client.post(DUTY_LOG, {**data, "visitor_phone": "12345"})
        kept = client.post(DUTY_LOG, {**data, "visitor_phone": "0417-2800001"})

    assert "visitor_phone" in refused.context["form"].errors
    assert kept.status_code == 302
    assert DutyLogEntry.objects.get(visitor_name="李女士").visitor_phone == (
        "0417-2800001"
    )


# --- the demo: demo-rep can try the duty log and a swap request at once -----------------


def _rota_snapshot() -> dict[str, str]:
    return {
        model._meta.label: serializers.serialize(
            "json", model._default_manager.order_by("pk")
        )
        for model in (DutyShift, ShiftChange, SwapRequest, DutyLogEntry)
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        date(2026, 6, 29),  # the last week of a half-year
        date(2026, 12, 27),  # a Sunday at the end of the year
        date(2026, 10, 1),  # a public holiday inside a week with working days
        date(2026, 3, 4),
    ],
    ids=str,
)
def test_demo_rep_is_on_duty_this_week_and_has_a_week_to_swap_whatever_the_day(
    client, day
):
    with at(day.year, day.month, day.day):
        demo.seed(password="demo-pass-for-tests")
        before = _rota_snapshot()
        demo.seed(password="demo-pass-for-tests")
        rep = Member.objects.get(user__username="demo-rep")
        client.force_login(rep.user)
        log = client.get(DUTY_LOG)
        mine = client.get(reverse("members:my_shifts"))

    assert _rota_snapshot() == before
    assert shift_on_duty(member=rep, on=day) is not None
    assertContains(log, 'id="id_visitor_name"')
    coming = DutyShift.objects.filter(representative=rep, first_day__gt=day)
    assert coming.exclude(swap_requests__status=SwapRequest.Status.OPEN).exists()
    assertContains(mine, zh("Ask someone to swap"))
    # Someone else's request is open too, for demo-rep to take.
    assert (
        SwapRequest.objects.exclude(requested_by=rep)
        .filter(status=SwapRequest.Status.OPEN)
        .exists()
    )


@pytest.mark.django_db
def test_in_a_week_without_working_days_demo_rep_has_the_next_week_coming(client):
    day = date(2026, 2, 18)  # the Spring Festival week

    with at(day.year, day.month, day.day):
        demo.seed(password="demo-pass-for-tests")
        rep = Member.objects.get(user__username="demo-rep")
        client.force_login(rep.user)
        mine = client.get(reverse("members:my_shifts"))

    assert DutyShift.objects.filter(
        representative=rep, first_day__gt=day, first_day__lte=day + timedelta(days=21)
    ).exists()
    assertContains(mine, zh("Ask someone to swap"))


@pytest.mark.django_db
def test_seeding_again_weeks_later_puts_demo_rep_on_duty_and_keeps_the_weeks_given(
    client,
):
    with at(2026, 3, 4):
        demo.seed(password="demo-pass-for-tests")
    given = dict(
        DutyShift.objects.filter(week_start__gte=date(2026, 3, 30)).values_list(
            "week_start", "representative"
        )
    )
    swap = SwapRequest.objects.get()

    with at(2026, 3, 25):
        demo.seed(password="demo-pass-for-tests")

    rep = Member.objects.get(user__username="demo-rep")
    assert shift_on_duty(member=rep, on=date(2026, 3, 25)) is not None
    later = dict(
        DutyShift.objects.filter(week_start__in=given).values_list(
            "week_start", "representative"
        )
    )
    # Only a week given to demo-rep, so they have one to swap, changed hands.
    changed = {week for week in given if later[week] != given[week]}
    assert {later[week] for week in changed} <= {rep.pk}
    assert len(changed) <= 1
    assert (
        DutyShift.objects.filter(representative=rep, first_day__gt=date(2026, 3, 25))
        .exclude(swap_requests__status=SwapRequest.Status.OPEN)
        .exists()
    )
    swap.refresh_from_db()
    if swap.status == SwapRequest.Status.OPEN:
        assert swap.shift.representative_id == swap.requested_by_id
    assert (
        SwapRequest.objects.filter(
            status=SwapRequest.Status.OPEN, shift__first_day__gt=date(2026, 3, 25)
        )
        .exclude(requested_by=rep)
        .exists()
    )
    assert DutyShift.objects.filter(week_start__gt=max(given)).exists()
