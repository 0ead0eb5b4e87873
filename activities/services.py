"""Activities: publishing, sign-up with capacity and a waiting list, check-in that earns points.

Each function is one transaction; e-mails go out after commit. Points go through the
groups app's ledger service, once per member, rule and activity.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities import emails
from activities.models import Activity, Attendance, Registration, Series
from chamber import method_rules
from chamber.models import User
from groups import services as points
from groups.models import GroupMembership, PointRule, PointsEntry
from members.models import Member


class ActivityError(Exception):
    """The rules forbid this operation; the message is safe to show to the user."""


@transaction.atomic
def publish_activity(*, activity: Activity, actor: User) -> Activity:
    """Publish an activity; a session of a series gets the next number (第N期), never reused."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == Activity.Status.CANCELLED:
        raise ActivityError(_("A cancelled activity cannot be published again."))
    if activity.series_id and activity.session_number is None:
        series = Series.objects.select_for_update().get(pk=activity.series_id)
        series.last_number += 1
        series.save(update_fields=["last_number"])
        activity.session_number = series.last_number
    activity.status = Activity.Status.PUBLISHED
    activity.save(update_fields=["status", "session_number"])
    return activity


@transaction.atomic
def withdraw_activity(*, activity: Activity, actor: User) -> Activity:
    """Take a published activity back to draft (撤回) while nobody has signed up or come.

    Once members have signed up, only cancelling it (which tells them) takes it back. A
    session keeps its number: numbers are never reused.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Activity.Status.PUBLISHED:
        raise ActivityError(_("Only a published activity can be withdrawn."))
    signed_up = (
        Registration.objects.filter(activity=activity)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    )
    came = Attendance.objects.filter(activity=activity, undone_at__isnull=True).exists()
    if signed_up or came:
        raise ActivityError(
            _(
                "Members have signed up: cancel the activity instead, so that they are told."
            )
        )
    activity.status = Activity.Status.DRAFT
    activity.save(update_fields=["status"])
    return activity


def _signup_open(activity: Activity, now: datetime) -> None:
    if activity.status != Activity.Status.PUBLISHED:
        raise ActivityError(_("This activity is not open for sign-up."))
    if activity.starts_at <= now:
        raise ActivityError(_("This activity has already started."))
    if activity.signup_opens_at and now < activity.signup_opens_at:
        raise ActivityError(_("Sign-up has not opened yet."))
    if activity.signup_closes_at and now > activity.signup_closes_at:
        raise ActivityError(_("Sign-up has closed."))


@transaction.atomic
def sign_up(
    *,
    activity: Activity,
    member: Member,
    now: datetime | None = None,
    attendee_name: str = "",
) -> Registration:
    """Register a member, or put them on the waiting list when the places are taken.

    The activity row is locked, so simultaneous sign-ups are counted one after another:
    N places never hold N + 1 members.
    """
    now = now or timezone.now()
    # Lock the activity row only: the campaign is read alongside, not locked.
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=activity.pk)
    )
    _signup_open(activity, now)
    live = Registration.objects.filter(activity=activity).exclude(
        status=Registration.Status.CANCELLED
    )
    attendee_name = " ".join(attendee_name.split())[:50]
    if attendee_name and not (
        activity.campaign_id and activity.campaign.kind == "service_month"
    ):
        raise ActivityError(
            _("Colleagues can be signed up for the service month's sessions only.")
        )
    mine = live.filter(member=member, attendee_name=attendee_name).first()
    if mine is not None:
        return mine
    taken = live.filter(status=Registration.Status.REGISTERED).count()
    full = activity.capacity is not None and taken >= activity.capacity
    registration = Registration.objects.create(
        activity=activity,
        member=member,
        attendee_name=attendee_name,
        status=Registration.Status.WAITING if full else Registration.Status.REGISTERED,
        created_at=now,
    )
    emails.registered(registration)
    return registration


@transaction.atomic
def cancel_registration(
    *, registration: Registration, member: Member, now: datetime | None = None
) -> Registration | None:
    """A member cancels; the first on the waiting list moves up and is told. Returns who moved up."""
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=registration.activity_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.member_id != member.pk:
        raise ActivityError(_("This is not your registration."))
    if registration.status == Registration.Status.CANCELLED:
        return None
    if activity.starts_at <= now:
        raise ActivityError(_("The activity has started; cancelling is closed."))
    had_place = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if not had_place or activity.status != Activity.Status.PUBLISHED:
        return None  # nobody moves up into a cancelled activity
    promoted = (
        Registration.objects.select_for_update()
        .filter(activity=activity, status=Registration.Status.WAITING)
        .order_by("created_at", "pk")
        .first()
    )
    if promoted is not None:
        promoted.status = Registration.Status.REGISTERED
        promoted.promoted_at = now
        promoted.save(update_fields=["status", "promoted_at"])
        emails.promoted(promoted)
    return promoted


def _rules(activity: Activity) -> dict[str, list[PointRule]]:
    """The rules that apply to the activity, by whom they reward (one query)."""
    year = timezone.localtime(activity.starts_at).year
    rules: dict[str, list[PointRule]] = {value: [] for value in PointRule.AppliesTo}
    for rule in (
        PointRule.objects.active_in(year)
        .filter(Q(scale="") | Q(scale=activity.scale))
        .filter(Q(activity_type_code="") | Q(activity_type_code=activity.type.code))
    ):
        rules[rule.applies_to].append(rule)
    return rules


def _award(
    activity: Activity,
    member: Member,
    rules: list[PointRule],
    actor: User | None,
    at: datetime,
) -> int:
    year = timezone.localtime(activity.starts_at).year
    created = 0
    for rule in rules:
        _entry, made = points.award_points(
            member=member,
            rule=rule,
            source_id=activity.pk,
            source_label=str(activity)[:200],
            year=year,
            actor=actor,
            at=at,
        )
        created += made
    return created


def check_in_window(activity: Activity) -> tuple[datetime, datetime]:
    """When check-in opens and closes: an hour before the start, to the end of the day it ends.

    The day is Beijing's (the closing time is midnight after the last day).
    """
    last_day = timezone.localdate(activity.ends_at)
    closes = datetime.combine(
        last_day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    return activity.starts_at - timedelta(hours=1), closes


def check_in_closed_reason(
    *, activity: Activity, now: datetime | None = None
) -> str | None:
    """Why nobody can be checked in at `now`, in the user's language; None while it is open."""
    now = now or timezone.now()
    opens, closes = check_in_window(activity)
    if now < opens:
        return _(
            "Check-in has not opened yet: it opens at %(opens)s, an hour before the start."
        ) % {"opens": date_format(timezone.localtime(opens), "Y-m-d H:i")}
    if now >= closes:
        return _(
            "Check-in has closed: it is open until the end of the day the activity ends."
        )
    return None


def _refuse_outside_window(activity: Activity, now: datetime) -> None:
    reason = check_in_closed_reason(activity=activity, now=now)
    if reason:
        raise ActivityError(reason)


@transaction.atomic
def check_in(
    *,
    activity: Activity,
    member: Member,
    actor: User,
    now: datetime | None = None,
) -> Attendance:
    """Mark a member present (once) and award the participation points, once.

    Only within the check-in window (check_in_window); outside it nothing is recorded
    or awarded. The organisers, and the members of the organising group, earn their
    points with the first check-in of the activity: it has then been held.
    """
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update().select_related("type").get(pk=activity.pk)
    )
    if activity.status != Activity.Status.PUBLISHED:
        raise ActivityError(_("Only a published activity takes attendance."))
    _refuse_outside_window(activity, now)
    attendance = Attendance.objects.filter(
        activity=activity, member=member, undone_at__isnull=True
    ).first()
    if attendance is None:
        attendance = Attendance.objects.create(
            activity=activity, member=member, checked_in_by=actor, checked_in_at=now
        )
    rules = _rules(activity)
    _award(activity, member, rules[PointRule.AppliesTo.PARTICIPANT], actor, now)
    if rules[PointRule.AppliesTo.ORGANISER]:
        for organiser in activity.organisers.all():
            _award(
                activity, organiser, rules[PointRule.AppliesTo.ORGANISER], actor, now
            )
    if activity.organising_group_id:
        group_rules = rules[PointRule.AppliesTo.GROUP]
        if group_rules:
            for membership in GroupMembership.objects.filter(
                group_id=activity.organising_group_id
            ).select_related("member"):
                _award(activity, membership.member, group_rules, actor, now)
    return attendance


@transaction.atomic
def undo_check_in(*, attendance: Attendance, actor: User, reason: str) -> Attendance:
    """Take back a check-in; the participation points are cancelled by reversing entries."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.undone_at is not None:
        return attendance
    attendance.undone_at = timezone.now()
    attendance.undone_by = actor
    attendance.save(update_fields=["undone_at", "undone_by"])
    entries = PointsEntry.objects.filter(
        member_id=attendance.member_id,
        source=PointsEntry.Source.ACTIVITY,
        source_id=attendance.activity_id,
        rule__applies_to=PointRule.AppliesTo.PARTICIPANT,
        reverses__isnull=True,
        reversed_by__isnull=True,
    )
    for entry in entries:
        points.correct_entry(
            entry=entry, reason=reason or _("attendance undone"), actor=actor
        )
    return attendance


@transaction.atomic
def cancel_activity(*, activity: Activity, actor: User) -> Activity:
    """Cancel an activity; everyone registered or waiting is told."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == Activity.Status.CANCELLED:
        return activity
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    emails.cancelled(activity)
    return activity


def tomorrows_registrations(*, today) -> list[Registration]:
    """Registrations of published activities starting tomorrow, to be reminded."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return list(
        Registration.objects.filter(
            status=Registration.Status.REGISTERED,
            activity__status=Activity.Status.PUBLISHED,
            activity__starts_at__gte=start,
            activity__starts_at__lt=start + timedelta(days=1),
        ).select_related("activity", "member__user")
    )


def groups_without_activity(*, today) -> list:
    """This year's groups with no published activity organised in the current month."""
    from groups.models import ActivityGroup

    held = Activity.objects.filter(
        organising_group__isnull=False,
        status=Activity.Status.PUBLISHED,
        starts_at__year=today.year,
        starts_at__month=today.month,
    ).values("organising_group")
    return list(
        ActivityGroup.objects.filter(year=today.year)
        .exclude(pk__in=held)
        .prefetch_related("memberships__member__user")
    )


@transaction.atomic
def run_activities_day(*, today) -> dict:
    """The daily step: reminders for tomorrow; from the 20th (the method's rule
    `group_warning_day`), warn groups with nothing this month.

    Idempotent: every message is written to the outbox once, under its key.
    """
    reminded = emails.reminders(tomorrows_registrations(today=today))
    warn_from = method_rules.current().group_warning_day
    idle = groups_without_activity(today=today) if today.day >= warn_from else []
    emails.groups_without_activity(idle, today.strftime("%Y-%m"))
    return {"reminders": reminded, "idle_groups": len(idle)}


CHECKIN_SALT = "activities.self-check-in"


def self_checkin_token(activity: Activity) -> str:
    """The signed code printed as the activity's QR: members scan it at the door."""
    from django.core import signing

    return signing.dumps(activity.pk, salt=CHECKIN_SALT)


def self_check_in(
    *, activity: Activity, member: Member, token: str, now: datetime | None = None
) -> Attendance:
    """A member checks themselves in by scanning the activity's QR code at the door.

    The same window as staff check-in (check_in_window), checked by check_in.
    """
    from django.core import signing

    now = now or timezone.now()
    try:
        signed_pk = signing.loads(token, salt=CHECKIN_SALT)
    except signing.BadSignature:
        raise ActivityError(_("This check-in code is not valid.")) from None
    if signed_pk != activity.pk:
        raise ActivityError(_("This check-in code is for another activity."))
    return check_in(activity=activity, member=member, actor=member.user, now=now)


@transaction.atomic
def mark_attended(
    *, registration: Registration, actor: User, now: datetime | None = None
) -> Registration:
    """A colleague signed up by a member came to a service session (no points: not a member).

    Only within the check-in window, as check_in.
    """
    now = now or timezone.now()
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=registration.pk)
    )
    _refuse_outside_window(registration.activity, now)
    if (
        registration.status != Registration.Status.REGISTERED
        or not registration.attendee_name
    ):
        raise ActivityError(
            _("Only a registered colleague can be marked present here.")
        )
    if registration.attended_at is None:
        registration.attended_at = now
        registration.save(update_fields=["attended_at"])
    return registration
