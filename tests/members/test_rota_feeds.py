"""Private calendar feeds of duty weeks: secret tokens, hashed, revocable; valid iCalendar.

Every test happens on Wednesday 4 March 2026, 10:00 in Yingkou. 刘建国 holds the weeks of
9 and 23 March, 王芳 the week of 16 March.
"""

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from members.models import CalendarFeed, DutyShift
from members.services import feeds, rota
from tests.factories import (
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
    MemberFactory,
    StaffFactory,
)

YINGKOU = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=YINGKOU)
MINE = CalendarFeed.Kind.MY_SHIFTS
WHOLE = CalendarFeed.Kind.WHOLE_ROTA


@pytest.fixture(autouse=True)
def on_wednesday():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def liu(db):
    return DutyRepresentativeFactory(user__full_name="刘建国")


@pytest.fixture
def wang(db):
    return DutyRepresentativeFactory(user__full_name="王芳")


@pytest.fixture
def shifts(liu, wang):
    DutyStudioFactory()
    return {
        week: DutyShiftFactory(week_start=week, representative=rep)
        for week, rep in [
            (date(2026, 3, 9), liu),
            (date(2026, 3, 16), wang),
            (date(2026, 3, 23), liu),
        ]
    }


def feed_url(token: str) -> str:
    return reverse("members:feed", args=[token])


def calendar(client, token: str) -> Calendar:
    response = client.get(feed_url(token))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> list:
    return sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


# --- tokens ---------------------------------------------------------------------------


def test_a_feed_token_has_at_least_128_bits_and_only_its_hash_is_stored(liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)

    assert len(token) >= 22  # 22 url-safe characters carry 132 bits
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    stored = CalendarFeed.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", stored.token_hash)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = CalendarFeed.objects.filter(pk=stored.pk).values().get()
    assert not any(token in str(value) for value in row.values())
    assert feeds.renew_feed(user=liu.user, kind=MINE) != token


def test_renewing_revokes_the_old_link(liu):
    old = feeds.renew_feed(user=liu.user, kind=MINE)

    new = feeds.renew_feed(user=liu.user, kind=MINE)

    assert feeds.feed_for_token(old) is None
    assert feeds.feed_for_token(new).user == liu.user
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


# --- the calendar ---------------------------------------------------------------------


def test_my_feed_is_a_valid_calendar_of_my_weeks_in_yingkou_time(client, shifts, liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)

    cal = calendar(client, token)

    assert cal["VERSION"] == "2.0"
    (zone,) = cal.walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Shanghai"
    mine = events(cal)
    assert len(mine) == 2
    for event, week in zip(mine, [date(2026, 3, 9), date(2026, 3, 23)], strict=True):
        shift = shifts[week]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert start == datetime.combine(shift.first_day, time(9), tzinfo=YINGKOU)
        assert start.utcoffset() == timedelta(hours=8)
        assert end == datetime.combine(shift.last_day, time(17), tzinfo=YINGKOU)
        assert "刘建国" in str(event["SUMMARY"])
        assert "中共西市区委统战部一楼" in str(event["LOCATION"])
    assert len({str(e["UID"]) for e in mine}) == 2


def test_uids_stay_the_same_across_requests_and_after_a_change(
    client, shifts, wang, on_wednesday
):
    staff = StaffFactory()
    token = feeds.renew_feed(user=staff, kind=WHOLE)
    first = {str(e["UID"]): e for e in events(calendar(client, token))}
    assert len(first) == 3
    assert {str(e["UID"]): e for e in events(calendar(client, token))}.keys() == (
        first.keys()
    )
    on_wednesday.shift(timedelta(hours=2))
    week = shifts[date(2026, 3, 9)]

    rota.set_shift_representative(shift=week, member=wang, actor=staff)

    after = {str(e["UID"]): e for e in events(calendar(client, token))}
    assert after.keys() == first.keys()
    uid = next(u for u, e in after.items() if e.decoded("dtstart").day == 9)
    assert "王芳" in str(after[uid]["SUMMARY"])
    assert int(after[uid]["SEQUENCE"]) > int(first[uid]["SEQUENCE"])


def test_another_representatives_token_shows_only_their_own_weeks(client, shifts, wang):
    token = feeds.renew_feed(user=wang.user, kind=MINE)

    (only,) = events(calendar(client, token))

    assert only.decoded("dtstart").date() == date(2026, 3, 16)
    assert "王芳" in str(only["SUMMARY"])
    assert "刘建国" not in calendar(client, token).to_ical().decode()


def test_the_whole_rota_feed_shows_every_week_to_staff(client, shifts):
    staff = StaffFactory()
    token = feeds.renew_feed(user=staff, kind=WHOLE)

    cal = calendar(client, token)

    assert len(events(cal)) == 3
    names = " ".join(str(e["SUMMARY"]) for e in events(cal))
    assert "刘建国" in names and "王芳" in names


# --- links that must not work -----------------------------------------------------------


def test_a_revoked_token_is_not_found(client, shifts, liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)

    feeds.revoke_feed(user=liu.user, kind=MINE)

    assert client.get(feed_url(token)).status_code == 404


def test_the_old_token_of_a_renewed_link_is_not_found(client, shifts, liu):
    old = feeds.renew_feed(user=liu.user, kind=MINE)
    new = feeds.renew_feed(user=liu.user, kind=MINE)

    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


@pytest.mark.parametrize(
    "guess",
    [
        secrets.token_urlsafe(24),
        "0" * 32,
        "a",
        "x" * 150,
        hashlib.sha256(b"").hexdigest(),
    ],
)
def test_a_guessed_token_is_not_found(client, shifts, liu, guess):
    feeds.renew_feed(user=liu.user, kind=MINE)

    assert client.get(feed_url(guess)).status_code == 404


def test_the_stored_hash_does_not_open_the_feed(client, shifts, liu):
    feeds.renew_feed(user=liu.user, kind=MINE)
    stored = CalendarFeed.objects.get().token_hash

    assert client.get(feed_url(stored)).status_code == 404


def test_the_token_of_a_deactivated_user_is_not_found(client, shifts, liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)
    liu.user.is_active = False
    liu.user.save(update_fields=["is_active"])

    assert client.get(feed_url(token)).status_code == 404


def test_a_whole_rota_token_stops_working_when_its_user_is_no_longer_staff(
    client, shifts
):
    staff = StaffFactory()
    token = feeds.renew_feed(user=staff, kind=WHOLE)
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])

    assert client.get(feed_url(token)).status_code == 404


# --- the links on the pages ---------------------------------------------------------------


def test_a_representative_creates_a_link_shown_once_that_opens_their_feed(
    client, shifts, liu
):
    client.force_login(liu.user)

    response = client.post(
        reverse("members:renew_feed", args=["my_shifts"]), follow=True
    )

    assert response.redirect_chain == [(reverse("members:my_shifts"), 302)]
    url = response.context["new_feed_url"]
    assert url.startswith("http://testserver/members/rota/calendar/")
    assert url in response.content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(events(calendar(client, token))) == 2
    again = client.get(reverse("members:my_shifts"))
    assert url not in again.content.decode()


def test_stopping_the_link_on_the_page_makes_it_not_found(client, shifts, liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)
    client.force_login(liu.user)

    response = client.post(reverse("members:revoke_feed", args=["my_shifts"]))

    assert response.status_code == 302
    assert client.get(feed_url(token)).status_code == 404


def test_staff_create_a_whole_rota_link_on_the_staff_page(client, shifts):
    staff = StaffFactory()
    client.force_login(staff)

    response = client.post(
        reverse("members:renew_feed", args=["whole_rota"]), follow=True
    )

    assert response.redirect_chain == [(reverse("members:staff_rota"), 302)]
    token = response.context["new_feed_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(events(calendar(client, token))) == 3


@pytest.mark.parametrize("kind", ["whole_rota", "everything", "my_shifts%00"])
def test_a_representative_cannot_create_a_whole_rota_or_unknown_link(
    client, shifts, liu, kind
):
    client.force_login(liu.user)

    response = client.post(f"/members/rota/feeds/{kind}/renew/")

    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_a_member_without_a_duty_title_gets_403_on_my_weeks_and_the_links(client, db):
    member = MemberFactory()
    client.force_login(member.user)

    assert client.get(reverse("members:my_shifts")).status_code == 403
    for name in ("renew_feed", "revoke_feed"):
        response = client.post(reverse(f"members:{name}", args=["my_shifts"]))
        assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("name", ["renew_feed", "revoke_feed"])
def test_the_link_actions_answer_get_with_405(client, liu, name):
    client.force_login(liu.user)

    response = client.get(reverse(f"members:{name}", args=["my_shifts"]))

    assert response.status_code == 405
    assert not CalendarFeed.objects.exists()


def test_the_feed_answers_only_get(client, shifts, liu):
    token = feeds.renew_feed(user=liu.user, kind=MINE)

    assert client.post(feed_url(token)).status_code == 405


def test_a_holiday_week_runs_in_the_feed_from_its_first_to_its_last_working_day(
    client, liu
):
    """The week after the Spring Festival: Tuesday 24 to the make-up Saturday 28 February."""
    DutyShift.objects.create(
        week_start=date(2026, 2, 23),
        first_day=date(2026, 2, 24),
        last_day=date(2026, 2, 28),
        representative=liu,
    )
    token = feeds.renew_feed(user=liu.user, kind=MINE)

    (event,) = events(calendar(client, token))

    assert event.decoded("dtstart").date() == date(2026, 2, 24)
    assert event.decoded("dtend").date() == date(2026, 2, 28)
