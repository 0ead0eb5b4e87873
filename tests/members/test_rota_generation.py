"""Generating the weekly duty rota (轮周坐班) on 2026, and editing a week by hand.

2026 has the Spring Festival holiday from Sunday 15 to Monday 23 February, with the
make-up working Saturdays 14 and 28 February, and National Day from 1 to 7 October,
with the make-up working days Sunday 20 September and Saturday 10 October. `today` is
injected: by default the last day of 2025, so no week of the period has started.
"""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from chamber import workdays
from members.models import (
    ChamberTitle,
    DutyShift,
    Enterprise,
    ShiftChange,
    TitleTerm,
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
from tests.support.words import zh

BEFORE_2026 = date(2025, 12, 31)
H1 = (date(2026, 1, 1), date(2026, 6, 30))
H2 = (date(2026, 7, 1), date(2026, 12, 31))
SPRING_FESTIVAL_WEEK = date(2026, 2, 16)  # Mon 16 – Sun 22 Feb: holidays and a weekend


def generate(first: date, last: date, *, today: date = BEFORE_2026, actor=None):
    return rota.generate_rota(first=first, last=last, actor=actor, today=today)


def reps(n: int) -> list:
    return [DutyRepresentativeFactory() for _ in range(n)]


def assignment(first: date, last: date) -> dict[date, int | None]:
    """Week → representative id of the shifts of the weeks from `first` to `last`."""
    return dict(
        DutyShift.objects.between(rota.monday(first), last).values_list(
            "week_start", "representative"
        )
    )


def weeks_per_rep(year: int) -> Counter:
    return Counter(
        DutyShift.objects.in_year(year)
        .exclude(representative=None)
        .values_list("representative", flat=True)
    )


# --- which weeks get a shift, and which days -----------------------------------------


def test_the_spring_festival_week_with_no_working_day_gets_no_shift(db):
    reps(3)

    generate(date(2026, 2, 2), date(2026, 3, 8))

    assert list(DutyShift.objects.values_list("week_start", flat=True)) == [
        date(2026, 2, 2),
        date(2026, 2, 9),
        date(2026, 2, 23),
        date(2026, 3, 2),
    ]
    assert not DutyShift.objects.filter(week_start=SPRING_FESTIVAL_WEEK).exists()


@pytest.mark.parametrize(
    ("week", "first_day", "last_day"),
    [
        # Make-up Saturday 14 Feb ends the week before the Spring Festival.
        (date(2026, 2, 9), date(2026, 2, 9), date(2026, 2, 14)),
        # Monday 23 Feb is still a holiday; make-up Saturday 28 Feb ends the week.
        (date(2026, 2, 23), date(2026, 2, 24), date(2026, 2, 28)),
        # Make-up Sunday 20 Sep ends the week before National Day.
        (date(2026, 9, 14), date(2026, 9, 14), date(2026, 9, 20)),
        # Mid-Autumn Festival on Friday 25 Sep.
        (date(2026, 9, 21), date(2026, 9, 21), date(2026, 9, 24)),
        # National Day until Wednesday 7 Oct; make-up Saturday 10 Oct.
        (date(2026, 10, 5), date(2026, 10, 8), date(2026, 10, 10)),
        # An ordinary week.
        (date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 13)),
    ],
)
def test_a_shift_runs_from_the_weeks_first_to_its_last_working_day(
    db, week, first_day, last_day
):
    reps(2)

    generate(week, week + timedelta(days=6))

    shift = DutyShift.objects.get(week_start=week)
    assert (shift.first_day, shift.last_day) == (first_day, last_day)


def test_one_shift_per_duty_week_of_the_half_year(db):
    reps(3)

    result = generate(*H1)

    shifts = list(DutyShift.objects.all())
    # 26 Mondays from 5 Jan to 29 Jun, plus the week of 29 Dec 2025 (Fri 2 Jan is a
    # holiday, but Sun 4 Jan is a make-up working day), less the Spring Festival week.
    assert len(shifts) == 26
    assert shifts[0].week_start == date(2025, 12, 29)
    assert (shifts[0].first_day, shifts[0].last_day) == (
        date(2025, 12, 29),
        date(2026, 1, 4),
    )
    assert shifts[-1].week_start == date(2026, 6, 29)
    assert result.assigned == 26
    assert result.gaps == []
    assert all(s.representative_id for s in shifts)


# --- fairness ---------------------------------------------------------------------------


def test_weeks_per_representative_differ_by_at_most_one_over_the_year(db):
    a, b, c, d = reps(4)
    # Weeks already served in January, before the rest of the year is generated.
    for week, member in [
        (date(2026, 1, 5), a),
        (date(2026, 1, 12), a),
        (date(2026, 1, 19), a),
        (date(2026, 1, 26), b),
    ]:
        DutyShiftFactory(week_start=week, representative=member)

    generate(date(2026, 2, 2), H1[1], today=date(2026, 1, 30))
    generate(*H2, today=date(2026, 6, 30))

    counts = weeks_per_rep(2026)
    assert set(counts) == {a.pk, b.pk, c.pk, d.pk}
    assert max(counts.values()) - min(counts.values()) <= 1
    # The weeks served in January counted: a was given fewer of the later weeks.
    later = Counter(
        DutyShift.objects.filter(week_start__gte=date(2026, 2, 2)).values_list(
            "representative", flat=True
        )
    )
    assert later[a.pk] < later[c.pk]


@pytest.mark.parametrize("n", [3, 4, 7])
def test_nobody_serves_two_weeks_in_a_row_over_a_half_year(db, n):
    reps(n)

    generate(*H1)
    generate(*H2)

    order = list(DutyShift.objects.values_list("representative", flat=True))
    assert None not in order
    back_to_back = [i for i in range(1, len(order)) if order[i] == order[i - 1]]
    assert back_to_back == []
    counts = weeks_per_rep(2026)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_nobody_serves_two_weeks_in_a_row_when_someone_else_is_free(db):
    """Around a representative's absence, the others alternate rather than repeat."""
    a, b, c = reps(3)
    # b is away for four weeks of March; a and c share them, alternating.
    UnavailabilityFactory(
        member=b, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 27)
    )

    generate(*H1)

    assert_no_avoidable_back_to_back(
        (a, b, c), away=(b, date(2026, 3, 2), date(2026, 3, 27))
    )


def test_a_representative_back_from_a_long_absence_catches_up_without_back_to_back_weeks(
    db,
):
    a, b, c = reps(3)
    away = (b, date(2026, 3, 2), date(2026, 4, 24))  # eight weeks
    UnavailabilityFactory(member=b, starts_on=away[1], ends_on=away[2])

    generate(*H1)
    generate(*H2)

    counts = weeks_per_rep(2026)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert_no_avoidable_back_to_back((a, b, c), away=away)


def assert_no_avoidable_back_to_back(members, *, away) -> None:
    """No representative has two duty weeks running while another could have served."""
    absent, first, last = away
    order = list(DutyShift.objects.values_list("week_start", "representative"))
    for (_week, before), (week, after) in zip(order, order[1:], strict=False):
        free = {m.pk for m in members if not (m == absent and first <= week <= last)}
        if free - {before}:
            assert after != before, f"{week}: the same representative twice in a row"


# --- who may serve --------------------------------------------------------------------


def test_declared_unavailability_is_respected(db):
    a, b, c = reps(3)
    UnavailabilityFactory(
        member=a, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 20)
    )
    UnavailabilityFactory(
        member=a, starts_on=date(2026, 4, 8), ends_on=date(2026, 4, 8)
    )

    generate(*H1)

    weeks_of_a = set(
        DutyShift.objects.filter(representative=a).values_list("week_start", flat=True)
    )
    assert weeks_of_a  # still on the rota the rest of the half-year
    assert weeks_of_a.isdisjoint(
        {date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 4, 6)}
    )


def test_unavailable_on_a_make_up_saturday_keeps_them_off_that_week(db):
    (alone,) = reps(1)
    UnavailabilityFactory(
        member=alone, starts_on=date(2026, 2, 14), ends_on=date(2026, 2, 14)
    )

    result = generate(date(2026, 2, 2), date(2026, 3, 1))

    assert assignment(date(2026, 2, 2), date(2026, 3, 1)) == {
        date(2026, 2, 2): alone.pk,
        date(2026, 2, 9): None,
        date(2026, 2, 23): alone.pk,
    }
    assert result.gaps == [date(2026, 2, 9)]


def test_unavailable_on_a_sunday_does_not_block_an_ordinary_week(db):
    (alone,) = reps(1)
    UnavailabilityFactory(
        member=alone, starts_on=date(2026, 3, 14), ends_on=date(2026, 3, 15)
    )

    generate(date(2026, 3, 9), date(2026, 3, 15))

    assert assignment(date(2026, 3, 9), date(2026, 3, 9)) == {
        date(2026, 3, 9): alone.pk
    }


def test_representatives_are_used_only_in_weeks_their_term_covers(db):
    steady = DutyRepresentativeFactory()
    leaving = DutyRepresentativeFactory(term__ends_on=date(2026, 4, 1))
    joining = DutyRepresentativeFactory(term__starts_on=date(2026, 4, 8))

    generate(*H1)

    for shift in DutyShift.objects.filter(representative=leaving):
        assert shift.last_day <= date(2026, 4, 1)
    for shift in DutyShift.objects.filter(representative=joining):
        assert shift.first_day >= date(2026, 4, 8)
    # The week of 30 Mar ends on Fri 3 Apr, after the leaver's term; 6 Apr starts
    # before the joiner's: only the steady representative can serve either.
    assert assignment(date(2026, 3, 30), date(2026, 4, 6)) == {
        date(2026, 3, 30): steady.pk,
        date(2026, 4, 6): steady.pk,
    }
    assert DutyShift.objects.filter(representative=leaving).exists()
    assert DutyShift.objects.filter(representative=joining).exists()


def test_members_of_enterprises_that_left_inactive_users_and_other_titles_are_not_used(
    db,
):
    serving = DutyRepresentativeFactory()
    DutyRepresentativeFactory(enterprise__status=Enterprise.Status.LEFT)
    DutyRepresentativeFactory(user__is_active=False)
    director = MemberFactory()
    TitleTerm.objects.create(
        member=director,
        title=ChamberTitle.objects.create(name="理事", takes_duty=False),
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    MemberFactory()  # no title at all

    result = generate(date(2026, 3, 2), date(2026, 3, 29))

    assert set(assignment(date(2026, 3, 2), date(2026, 3, 29)).values()) == {serving.pk}
    assert result.assigned == 4


def test_a_week_with_nobody_free_is_a_gap_reported_in_the_result(db):
    a, b = reps(2)
    for member in (a, b):
        UnavailabilityFactory(
            member=member, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13)
        )

    result = generate(date(2026, 3, 2), date(2026, 3, 22))

    gap = DutyShift.objects.get(week_start=date(2026, 3, 9))
    assert gap.representative is None
    assert result.gaps == [date(2026, 3, 9)]
    assert result.assigned == 2
    # A gap is not an assignment: no history line "nobody → nobody".
    assert not ShiftChange.objects.filter(shift=gap).exists()


# --- regeneration -----------------------------------------------------------------------


def test_regeneration_keeps_started_swapped_and_staff_set_weeks_and_reassigns_the_rest(
    db,
):
    staff = StaffFactory()
    a, b, c = reps(3)
    generate(*H1, actor=staff)
    before = assignment(*H1)
    by_hand = DutyShift.objects.get(week_start=date(2026, 4, 13))
    hand_rep = next(m for m in (a, b, c) if m.pk != by_hand.representative_id)
    rota.set_shift_representative(shift=by_hand, member=hand_rep, actor=staff)
    swapped = DutyShift.objects.get(week_start=date(2026, 5, 11))
    asker = swapped.representative
    taker = next(m for m in (a, b, c) if m.pk != asker.pk)
    swap = rota.ask_swap(shift=swapped, member=asker, today=BEFORE_2026)
    rota.accept_swap(swap=swap, member=taker, today=BEFORE_2026)
    changes_before = ShiftChange.objects.count()
    newcomer = DutyRepresentativeFactory()
    today = date(2026, 3, 11)  # a Wednesday: the week of 9 March has started

    result = generate(*H1, today=today, actor=staff)

    after = assignment(*H1)
    started = [
        w for w in after if DutyShift.objects.get(week_start=w).first_day <= today
    ]
    assert started[-1] == date(2026, 3, 9)
    for week in started:
        assert after[week] == before[week]
    assert after[date(2026, 4, 13)] == hand_rep.pk
    assert after[date(2026, 5, 11)] == taker.pk
    assert result.kept == len(started) + 2
    newcomer_weeks = [w for w, rep in after.items() if rep == newcomer.pk]
    assert newcomer_weeks and min(newcomer_weeks) > today
    # One GENERATED change per week whose representative changed, none for the others.
    changed = [w for w in after if after[w] != before[w]]
    new_changes = ShiftChange.objects.order_by("pk")[changes_before:]
    assert sorted(ch.shift.week_start for ch in new_changes) == sorted(
        w for w in changed if w not in (date(2026, 4, 13), date(2026, 5, 11))
    )
    assert {ch.kind for ch in new_changes} == {ShiftChange.Kind.GENERATED}
    assert all(ch.actor == staff for ch in new_changes)


def test_each_assignment_writes_one_generated_change(db):
    staff = StaffFactory()
    reps(3)

    result = generate(date(2026, 3, 2), date(2026, 5, 31), actor=staff)

    shifts = list(DutyShift.objects.all())
    changes = list(ShiftChange.objects.all())
    assert len(changes) == len(shifts) == result.assigned
    for shift in shifts:
        (change,) = shift.changes.all()
        assert change.kind == ShiftChange.Kind.GENERATED
        assert change.from_member is None
        assert change.to_member_id == shift.representative_id
        assert change.actor == staff


def test_regenerating_without_any_change_writes_no_change(db):
    reps(3)
    generate(*H1)
    before = assignment(*H1)
    changes = ShiftChange.objects.count()

    result = generate(*H1)

    assert assignment(*H1) == before
    assert ShiftChange.objects.count() == changes
    assert result.gaps == []


def test_generating_an_inverted_or_overlong_period_is_refused(db):
    with pytest.raises(RotaError):
        generate(date(2026, 3, 1), date(2026, 2, 1))
    with pytest.raises(RotaError):
        generate(date(2026, 1, 1), date(2027, 3, 1))
    assert not DutyShift.objects.exists()


def test_generation_query_count_does_not_grow_with_weeks_or_representatives(db):
    def queries_to_generate(first: date, last: date) -> int:
        workdays.forget_overrides()  # read once per process: start each count without them
        with CaptureQueriesContext(connection) as captured:
            generate(first, last)
        return len(captured)

    reps(3)
    few = queries_to_generate(date(2026, 3, 2), date(2026, 3, 29))
    assert DutyShift.objects.count() == 4
    reps(9)
    many = queries_to_generate(*H2)
    assert DutyShift.objects.count() == 4 + 27  # 29 Jun to 28 Dec

    assert few == many


# --- immutable history ------------------------------------------------------------------


def test_shift_changes_cannot_be_edited_or_deleted(db):
    reps(1)
    generate(date(2026, 3, 2), date(2026, 3, 8))
    change = ShiftChange.objects.get()

    change.note = "改写历史"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    with pytest.raises(ValidationError):
        ShiftChange.objects.filter(pk=change.pk).update(note="改写历史")
    with pytest.raises(ValidationError):
        ShiftChange.objects.all().delete()
    with pytest.raises(ValidationError):
        change.shift.changes.update(note="改写历史")

    change.refresh_from_db()
    assert change.note == ""
    assert ShiftChange.objects.count() == 1


# --- by hand ------------------------------------------------------------------------------


def test_staff_change_of_a_week_is_recorded_with_actor_and_note(db):
    staff = StaffFactory()
    a, b = reps(2)
    generate(date(2026, 3, 2), date(2026, 3, 8))
    shift = DutyShift.objects.get()
    other = b if shift.representative == a else a
    previous = shift.representative

    rota.set_shift_representative(
        shift=shift, member=other, actor=staff, note="原值班人住院"
    )

    shift.refresh_from_db()
    assert shift.representative == other
    assert shift.source == DutyShift.Source.MANUAL
    change = shift.changes.last()
    assert change.kind == ShiftChange.Kind.MANUAL
    assert (change.from_member, change.to_member) == (previous, other)
    assert change.actor == staff
    assert change.note == "原值班人住院"


def test_staff_can_leave_a_week_open_and_setting_the_same_person_records_nothing(db):
    staff = StaffFactory()
    reps(1)
    generate(date(2026, 3, 2), date(2026, 3, 8))
    shift = DutyShift.objects.get()

    rota.set_shift_representative(shift=shift, member=shift.representative, actor=staff)
    assert shift.changes.count() == 1
    rota.set_shift_representative(shift=shift, member=None, actor=staff)

    shift.refresh_from_db()
    assert shift.representative is None
    assert shift.changes.last().to_member is None


def test_staff_cannot_put_a_member_without_a_duty_title_for_the_week(db):
    staff = StaffFactory()
    reps(1)
    generate(date(2026, 3, 2), date(2026, 3, 8))
    shift = DutyShift.objects.get()
    no_title = MemberFactory()
    expired = DutyRepresentativeFactory(term__ends_on=date(2026, 3, 4))

    for member in (no_title, expired):
        with pytest.raises(RotaError) as refused:
            rota.set_shift_representative(shift=shift, member=member, actor=staff)
        assert member.user.get_full_name() in str(refused.value)

    assert shift.changes.count() == 1


def test_staff_cannot_put_a_representative_on_a_week_they_declared_unavailable(db):
    staff = StaffFactory()
    serving, away = reps(2)
    UnavailabilityFactory(
        member=away, starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 5)
    )
    generate(date(2026, 3, 2), date(2026, 3, 8))
    shift = DutyShift.objects.get()
    assert shift.representative == serving

    with pytest.raises(RotaError):
        rota.set_shift_representative(shift=shift, member=away, actor=staff)

    shift.refresh_from_db()
    assert shift.representative == serving


def test_staff_edit_a_week_on_its_page_and_see_its_history(client, db):
    staff = StaffFactory(full_name="秘书处小王")
    a = DutyRepresentativeFactory(user__full_name="刘建国")
    b = DutyRepresentativeFactory(user__full_name="王芳")
    generate(date(2026, 3, 2), date(2026, 3, 8), actor=staff)
    shift = DutyShift.objects.get()
    new = b if shift.representative == a else a
    url = reverse("members:edit_shift", args=[shift.pk])
    client.force_login(staff)

    response = client.post(url, {"representative": new.pk, "note": "临时出差"})

    assert response.status_code == 302
    assert response.url == reverse("members:staff_rota")
    shift.refresh_from_db()
    assert shift.representative == new
    page = client.get(url)
    assertContains(page, "临时出差")
    assertContains(page, zh("changed by staff"))
    assertContains(page, "秘书处小王")
    assertContains(page, zh("generated"))
    assertContains(page, "刘建国")
    assertContains(page, "王芳")


def test_the_edit_page_refuses_someone_unavailable_that_week(client, db):
    staff = StaffFactory()
    serving, away = reps(2)
    generate(date(2026, 3, 2), date(2026, 3, 8))
    shift = DutyShift.objects.get()
    off_duty = away if shift.representative == serving else serving
    UnavailabilityFactory(
        member=off_duty, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6)
    )
    client.force_login(staff)

    response = client.post(
        reverse("members:edit_shift", args=[shift.pk]),
        {"representative": off_duty.pk},
    )

    assert response.status_code == 200
    message = zh(
        "%(name)s holds no duty title for that week, or declared it unavailable."
    ) % {"name": off_duty.user.get_full_name()}
    assert message in response.context["form"].errors["representative"]
    shift.refresh_from_db()
    assert shift.representative != off_duty
