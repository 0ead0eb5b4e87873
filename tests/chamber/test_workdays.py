"""The working calendar: Chinese public holidays, make-up working days (调休) and staff overrides."""

from datetime import date

import pytest

from chamber import workdays
from chamber.models import WorkdayOverride


@pytest.fixture(autouse=True)
def _fresh_overrides(db):
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday, a make-up working day
        (date(2026, 2, 17), False),  # Spring Festival
        (date(2026, 2, 23), False),  # Monday, still in the holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, a make-up working day
        (date(2026, 3, 1), False),  # an ordinary Sunday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, a make-up working day
        (date(2026, 9, 20), True),  # Sunday, a make-up working day
    ],
)
def test_official_holidays_and_make_up_days_of_2026(day, working):
    assert workdays.is_working_day(day) is working


def test_adding_working_days_skips_the_spring_festival():
    # Sat 14 Feb is a make-up working day; the 15th to the 23rd are off.
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert workdays.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)


def test_adding_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert workdays.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2026, 10, 3), -1)


def test_a_week_of_national_day_holiday_has_no_working_day():
    assert workdays.working_days(date(2026, 10, 1), date(2026, 10, 7)) == []
    assert workdays.working_days(date(2026, 9, 28), date(2026, 10, 4)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
    ]


def test_last_working_day_before_the_national_day_week():
    assert workdays.last_working_day_before(date(2026, 10, 8)) == date(2026, 9, 30)
    assert workdays.last_working_day_before(date(2026, 2, 16)) == date(2026, 2, 14)


def test_a_staff_override_makes_a_day_off_or_a_working_day():
    WorkdayOverride.objects.create(
        day=date(2027, 2, 20), is_working_day=True, note="调休"
    )
    WorkdayOverride.objects.create(day=date(2027, 3, 3), is_working_day=False)

    assert workdays.is_working_day(date(2027, 2, 20)) is True  # a Saturday
    assert workdays.is_working_day(date(2027, 3, 3)) is False  # a Wednesday


def test_deleting_an_override_restores_the_official_calendar():
    override = WorkdayOverride.objects.create(
        day=date(2027, 3, 3), is_working_day=False
    )
    assert workdays.is_working_day(date(2027, 3, 3)) is False

    override.delete()

    assert workdays.is_working_day(date(2027, 3, 3)) is True


def test_years_without_confirmed_make_up_days_are_flagged_until_staff_enter_them():
    assert workdays.year_has_official_schedule(2026) is True
    assert workdays.year_has_official_schedule(2027) is False

    WorkdayOverride.objects.create(day=date(2027, 2, 20), is_working_day=True)

    assert workdays.year_has_official_schedule(2027) is True


def test_counting_working_days_over_a_year_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        days = workdays.working_days(date(2026, 1, 1), date(2026, 12, 31))
    assert 240 <= len(days) <= 255
