"""The weekly duty rota (轮周坐班): generation, manual edits, unavailability and swaps.

Every change of who is on duty goes through a function here and writes one ShiftChange.
Its e-mails are written to the outbox in the same transaction (members/emails.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber import workdays
from chamber.models import User
from members import emails
from members.models import (
    DutyShift,
    Enterprise,
    Member,
    ShiftChange,
    SwapRequest,
    TitleTerm,
    Unavailability,
)
from members.selectors import rota_changed


class RotaError(Exception):
    """The rules forbid this operation; the message is safe to show to the user."""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def half_year(day: date) -> tuple[date, date]:
    """The half-year (January–June or July–December) that contains `day`."""
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def quarter(day: date) -> tuple[date, date]:
    """The calendar quarter that contains `day`."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + first.month // 10, (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def next_unplanned_period(*, today: date) -> tuple[date, date]:
    """The period the staff page proposes to generate: the first quarter, from today's on,
    with a coming duty week not yet in the rota; in today's quarter it starts next week.

    Two years ahead at most, in one query.
    """
    next_monday = monday(today) + timedelta(days=7)
    planned = set(
        DutyShift.objects.between(
            next_monday - timedelta(days=7), next_monday + timedelta(days=2 * 366)
        ).values_list("week_start", flat=True)
    )
    first, last = quarter(today)
    for _i in range(8):
        start = max(first, next_monday)
        if any(week not in planned for week, _days in duty_weeks(start, last)):
            return start, last
        first, last = quarter(last + timedelta(days=1))
    return start, last


def duty_weeks(first: date, last: date) -> list[tuple[date, list[date]]]:
    """(Monday, working days) of each week from `first` to `last`; weeks with no working day left out."""
    weeks = []
    week = monday(first)
    while week <= last:
        days = workdays.working_days(week, week + timedelta(days=6))
        if days:
            weeks.append((week, days))
        week += timedelta(days=7)
    return weeks


def candidates(*, first: date, last: date) -> list[Member]:
    """Members who may take duty at some point from `first` to `last`, with terms and unavailability."""
    return list(
        Member.objects.filter(
            user__is_active=True,
            titles__title__takes_duty=True,
            titles__starts_on__lte=last,
            titles__ends_on__gte=first,
            enterprise__status__in=Enterprise.MEMBER_STATUSES,
        )
        .distinct()
        .select_related("user", "enterprise")
        .prefetch_related(
            Prefetch(
                "titles",
                queryset=TitleTerm.objects.filter(
                    title__takes_duty=True
                ).select_related("title"),
                to_attr="duty_terms",
            ),
            Prefetch(
                "unavailabilities",
                queryset=Unavailability.objects.filter(
                    ends_on__gte=first, starts_on__lte=last
                ),
                to_attr="period_unavailability",
            ),
        )
        .order_by("pk")
    )


def can_serve(member: Member, days: list[date]) -> bool:
    """A duty title covering the week's working days, and no declared unavailability on them."""
    covered = any(
        t.starts_on <= days[0] and t.ends_on >= days[-1] for t in member.duty_terms
    )
    blocked = any(
        u.starts_on <= day <= u.ends_on
        for u in member.period_unavailability
        for day in days
    )
    return covered and not blocked


@dataclass
class GenerationResult:
    assigned: int = 0
    kept: int = 0
    gaps: list[date] = field(default_factory=list)


@transaction.atomic
def generate_rota(
    *, first: date, last: date, actor: User | None, today: date | None = None
) -> GenerationResult:
    """Give each duty week from `first` to `last` one representative, fairly across the year.

    Weeks already started, swapped or set by staff are kept. Among those who can serve a
    week, the one with the fewest weeks that year is chosen; ties go to someone who did
    not serve the week before or after, then to whoever served longest ago. Set-based:
    the number of queries does not grow with the number of weeks or representatives.
    """
    today = today or timezone.localdate()
    if last < first:
        raise RotaError(_("The period ends before it starts."))
    if (last - first).days > 400:
        raise RotaError(_("Generate at most a year at a time."))
    weeks = duty_weeks(first, last)
    starts = [week for week, _days in weeks]
    existing = {
        s.week_start: s
        for s in DutyShift.objects.select_for_update().filter(
            week_start__range=(
                monday(first) - timedelta(days=7),
                monday(last) + timedelta(days=7),
            )
        )
    }
    open_weeks = [
        w for w in starts if w not in existing or not existing[w].is_fixed(today)
    ]
    reps = candidates(first=monday(first), last=monday(last) + timedelta(days=6))
    counts, last_served = _served_so_far(
        years={w.year for w in starts}, excluding=open_weeks
    )

    result = GenerationResult()
    to_create, to_update, changes = [], [], []
    previous = existing.get(monday(first) - timedelta(days=7))
    previous_rep = previous.representative_id if previous else None
    for week, days in weeks:
        shift = existing.get(week)
        if week not in open_weeks:
            result.kept += 1
            previous_rep = shift.representative_id
            continue
        following = existing.get(week + timedelta(days=7))
        next_rep = (
            following.representative_id
            if following and following.is_fixed(today)
            else None
        )
        able = [m for m in reps if can_serve(m, days)]
        chosen = min(
            able,
            key=lambda m: (
                # Nobody serves two weeks in a row while someone else is free; among the
                # rest, the fewest weeks that year first, then who served longest ago.
                m.pk in (previous_rep, next_rep),
                counts[week.year][m.pk],
                last_served.get(m.pk, date.min),
                m.pk,
            ),
            default=None,
        )
        if chosen is None:
            result.gaps.append(week)
        else:
            counts[week.year][chosen.pk] += 1
            last_served[chosen.pk] = week
            result.assigned += 1
        chosen_pk = chosen.pk if chosen else None
        if shift is None:
            shift = DutyShift(week_start=week, first_day=days[0], last_day=days[-1])
            to_create.append(shift)
        elif shift.representative_id == chosen_pk:
            previous_rep = chosen_pk
            continue
        else:
            to_update.append(shift)
        if shift.representative_id != chosen_pk:  # a new week left empty is no change
            changes.append((shift, shift.representative_id, chosen_pk))
        shift.representative_id = chosen_pk
        shift.source = DutyShift.Source.GENERATED
        shift.first_day, shift.last_day = days[0], days[-1]
        shift.updated_at = timezone.now()
        previous_rep = chosen_pk
    DutyShift.objects.bulk_create(to_create)
    DutyShift.objects.bulk_update(
        to_update, ["representative", "source", "first_day", "last_day", "updated_at"]
    )
    rota_changed()  # bulk writes send no signal
    ShiftChange.objects.bulk_create(
        ShiftChange(
            shift=shift,
            kind=ShiftChange.Kind.GENERATED,
            from_member_id=old,
            to_member_id=new,
            actor=actor,
        )
        for shift, old, new in changes
    )
    return result


def _served_so_far(*, years: set[int], excluding: list[date]):
    """Weeks per representative in each year, and the last week each served, leaving out `excluding`."""
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    last_served: dict[int, date] = {}
    rows = (
        DutyShift.objects.filter(
            week_start__year__in=years, representative__isnull=False
        )
        .exclude(week_start__in=excluding)
        .values("representative", "week_start")
    )
    for row in rows:
        rep, week = row["representative"], row["week_start"]
        counts[week.year][rep] += 1
        last_served[rep] = max(last_served.get(rep, date.min), week)
    return counts, last_served


def fairness(*, year: int) -> list[dict]:
    """Weeks per representative in a year: served so far and planned, for the staff page."""
    today = timezone.localdate()
    rows = (
        DutyShift.objects.in_year(year)
        .filter(representative__isnull=False)
        .values("representative")
        .annotate(
            served=Count("pk", filter=Q(first_day__lte=today)),
            planned=Count("pk", filter=Q(first_day__gt=today)),
            total=Count("pk"),
        )
    )
    by_member = {r["representative"]: r for r in rows}
    reps = candidates(first=date(year, 1, 1), last=date(year, 12, 31))
    table = [
        {
            "member": m,
            "served": by_member.get(m.pk, {}).get("served", 0),
            "planned": by_member.get(m.pk, {}).get("planned", 0),
            "total": by_member.get(m.pk, {}).get("total", 0),
        }
        for m in reps
    ]
    return sorted(table, key=lambda row: (-row["total"], row["member"].user.full_name))


def _eligible_for_shift(member: Member, shift: DutyShift) -> bool:
    found = candidates(first=shift.first_day, last=shift.last_day)
    member = next((m for m in found if m.pk == member.pk), None)
    days = workdays.working_days(shift.first_day, shift.last_day)
    return member is not None and can_serve(member, days)


@transaction.atomic
def set_shift_representative(
    *, shift: DutyShift, member: Member | None, actor: User, note: str = ""
) -> DutyShift:
    """Staff put a representative on a week by hand (or leave it empty); recorded."""
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    if member is not None and not _eligible_for_shift(member, shift):
        raise RotaError(
            _("%(name)s holds no duty title for that week, or declared it unavailable.")
            % {"name": member.user.get_full_name()}
        )
    new_pk = member.pk if member else None
    if shift.representative_id == new_pk:
        return shift
    ShiftChange.objects.create(
        shift=shift,
        kind=ShiftChange.Kind.MANUAL,
        from_member_id=shift.representative_id,
        to_member_id=new_pk,
        actor=actor,
        note=note,
    )
    shift.representative_id = new_pk
    shift.source = DutyShift.Source.MANUAL
    shift.updated_at = timezone.now()
    shift.save(update_fields=["representative", "source", "updated_at"])
    return shift


@transaction.atomic
def declare_unavailability(
    *,
    member: Member,
    starts_on: date,
    ends_on: date,
    reason: str = "",
    today: date | None = None,
) -> tuple[Unavailability, list[SwapRequest]]:
    """A representative declares days they cannot serve.

    When the days fall in a week already given to them, staff are told and a swap
    request for that week is opened, so another representative can take it.
    """
    today = today or timezone.localdate()
    if ends_on < starts_on:
        raise RotaError(_("The last day cannot be before the first day."))
    if ends_on < today:
        raise RotaError(_("These days are already past."))
    unavailability = Unavailability.objects.create(
        member=member, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    # Weeks given to them that the days fall in, including the week under way: a coming
    # week gets a swap request; for the week under way staff must arrange cover.
    hit = list(
        DutyShift.objects.filter(
            representative=member,
            first_day__lte=ends_on,
            last_day__gte=max(starts_on, today),
        )
    )
    swaps = []
    for shift in hit:
        if shift.has_started(today):
            continue
        if not shift.swap_requests.filter(status=SwapRequest.Status.OPEN).exists():
            swaps.append(
                ask_swap(
                    shift=shift,
                    member=member,
                    reason=reason or _("unavailable"),
                    today=today,
                )
            )
    if hit:
        emails.unavailability_hits_shift(unavailability.pk)
    return unavailability, swaps


@transaction.atomic
def withdraw_unavailability(*, unavailability: Unavailability, member: Member) -> None:
    """A representative takes back days they had declared (their own, not yet past)."""
    if unavailability.member_id != member.pk:
        raise RotaError(_("This is not yours."))
    unavailability.delete()


@transaction.atomic
def ask_swap(
    *, shift: DutyShift, member: Member, reason: str = "", today: date | None = None
) -> SwapRequest:
    """The representative on a coming week asks another to take it; the others are told."""
    today = today or timezone.localdate()
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    if shift.representative_id != member.pk:
        raise RotaError(_("Only the representative on that week can ask to swap it."))
    if shift.has_started(today):
        raise RotaError(_("This week has already started; ask the secretariat."))
    if shift.swap_requests.filter(status=SwapRequest.Status.OPEN).exists():
        raise RotaError(_("This week already has an open swap request."))
    swap = SwapRequest.objects.create(shift=shift, requested_by=member, reason=reason)
    emails.swap_requested(swap.pk)
    return swap


@transaction.atomic
def accept_swap(
    *, swap: SwapRequest, member: Member, today: date | None = None
) -> SwapRequest:
    """Another representative takes the week. Two at once cannot both win: the rows are locked."""
    today = today or timezone.localdate()
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    shift = DutyShift.objects.select_for_update().get(pk=swap.shift_id)
    if swap.status != SwapRequest.Status.OPEN:
        raise RotaError(
            _("Someone else has already taken this week, or the request was withdrawn.")
        )
    if shift.has_started(today):
        raise RotaError(_("This week has already started."))
    if member.pk == swap.requested_by_id:
        raise RotaError(_("You cannot take your own week."))
    if not _eligible_for_shift(member, shift):
        raise RotaError(
            _("You hold no duty title for that week, or declared it unavailable.")
        )
    now = timezone.now()
    ShiftChange.objects.create(
        shift=shift,
        kind=ShiftChange.Kind.SWAP,
        from_member_id=shift.representative_id,
        to_member=member,
        actor=member.user,
        note=swap.reason,
    )
    shift.representative = member
    shift.source = DutyShift.Source.SWAP
    shift.updated_at = now
    shift.save(update_fields=["representative", "source", "updated_at"])
    swap.status = SwapRequest.Status.ACCEPTED
    swap.accepted_by = member
    swap.resolved_at = now
    swap.save(update_fields=["status", "accepted_by", "resolved_at"])
    emails.withdraw_reminders(shift)
    emails.swap_accepted(swap.pk)
    return swap


@transaction.atomic
def withdraw_swap(*, swap: SwapRequest, member: Member) -> SwapRequest:
    """The asker withdraws an open request; the week stays theirs."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.requested_by_id != member.pk:
        raise RotaError(_("This is not yours."))
    if swap.status != SwapRequest.Status.OPEN:
        raise RotaError(_("This request is no longer open."))
    swap.status = SwapRequest.Status.CANCELLED
    swap.resolved_at = timezone.now()
    swap.save(update_fields=["status", "resolved_at"])
    return swap


def lapse_swap_requests(*, today: date) -> int:
    """Open requests whose week has started lapse; the asker stays on duty and is told.

    Set-based and idempotent: a second run finds nothing open to lapse.
    """
    with transaction.atomic():
        due = list(
            SwapRequest.objects.select_for_update()
            .filter(status=SwapRequest.Status.OPEN, shift__first_day__lte=today)
            .values_list("pk", flat=True)
        )
        SwapRequest.objects.filter(pk__in=due).update(
            status=SwapRequest.Status.LAPSED, resolved_at=timezone.now()
        )
        emails.swaps_lapsed(due)
    return len(due)


def queue_reminders(*, today: date) -> int:
    """Queue the reminders due today: a week before, and on the last working day before
    a duty week. Each (shift, representative, kind) gets one row and one message, so
    running this twice sends nothing twice; returns how many messages are new."""
    from members.models import ShiftReminder

    horizon = today + timedelta(days=16)
    shifts = DutyShift.objects.filter(
        representative__isnull=False, first_day__gt=today, first_day__lte=horizon
    ).only("pk", "week_start", "first_day", "representative")
    wanted = []
    for shift in shifts:
        if shift.week_start - timedelta(days=7) == today:
            wanted.append((shift, ShiftReminder.Kind.WEEK_BEFORE))
        if workdays.last_working_day_before(shift.first_day) == today:
            wanted.append((shift, ShiftReminder.Kind.LAST_WORKING_DAY))
    if not wanted:
        return 0
    with transaction.atomic():
        ShiftReminder.objects.bulk_create(
            [
                ShiftReminder(shift=s, member_id=s.representative_id, kind=k)
                for s, k in wanted
            ],
            ignore_conflicts=True,
        )
        due = Q()
        for shift, kind in wanted:
            due |= Q(shift=shift, member_id=shift.representative_id, kind=kind)
        reminders = list(
            ShiftReminder.objects.filter(due).select_related(
                "shift", "member__user", "member__enterprise"
            )
        )
        return emails.shift_reminders(reminders)


def eligible_takers(*, swap: SwapRequest) -> list[Member]:
    """Representatives who could take the week of a swap request (not the asker)."""
    shift = swap.shift
    days = workdays.working_days(shift.first_day, shift.last_day)
    return [
        m
        for m in candidates(first=shift.first_day, last=shift.last_day)
        if m.pk != swap.requested_by_id and can_serve(m, days)
    ]


def takeable_swaps(*, member: Member, swaps: list[SwapRequest]) -> list[SwapRequest]:
    """The requests among `swaps` that `member` could take; one look-up for all of them."""
    others = [s for s in swaps if s.requested_by_id != member.pk]
    if not others:
        return []
    first = min(s.shift.first_day for s in others)
    last = max(s.shift.last_day for s in others)
    me = next(
        (m for m in candidates(first=first, last=last) if m.pk == member.pk), None
    )
    if me is None:
        return []
    return [
        s
        for s in others
        if can_serve(me, workdays.working_days(s.shift.first_day, s.shift.last_day))
    ]


def run_rota_day(*, today: date) -> dict:
    """The rota's daily step: lapse swap requests of started weeks, queue today's reminders."""
    lapsed = lapse_swap_requests(today=today)
    return {"lapsed": lapsed, "reminders": queue_reminders(today=today)}
