"""The duty log (坐班日志): the representative on duty records each visitor to the studio."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.models import User
from chamber.roles import roles_of
from chamber.uploads import CheckedUpload, check_upload
from members.models import (
    DutyLogAttachment,
    DutyLogEntry,
    DutyShift,
    Enterprise,
    Member,
)

MAX_ATTACHMENTS = 5
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


class DutyLogError(Exception):
    """The rules forbid this record; the message is safe to show to the user."""


def shift_on_duty(*, member: Member, on: date) -> DutyShift | None:
    """The member's duty shift whose week (Monday to Sunday) covers `on`, if any."""
    return DutyShift.objects.filter(
        representative=member,
        week_start__lte=on,
        week_start__gt=on - timedelta(days=7),
    ).first()


def check_visit_time(*, shift: DutyShift, visited_at: datetime, now: datetime) -> None:
    """Raise DutyLogError unless the visit lies inside the shift's week and not ahead of now."""
    day = timezone.localtime(visited_at).date()
    if not shift.week_start <= day <= shift.week_end:
        raise DutyLogError(
            _("The visit must fall inside the duty week, %(first)s to %(last)s.")
            % {"first": shift.span.first_text, "last": shift.span.last_text}
        )
    if visited_at > now + CLOCK_SKEW:
        raise DutyLogError(_("The visit cannot be in the future."))


def _check_recorder(
    *, shift: DutyShift, member: Member | None, actor: User, on: date
) -> None:
    if roles_of(actor).is_staff:
        if not shift.has_started(on):
            raise DutyLogError(_("This duty week has not started yet."))
        return
    if member is None or shift.representative_id != member.pk:
        raise DutyLogError(_("Only the representative on duty can record visits."))
    if not shift.week_start <= on <= shift.week_end:
        raise DutyLogError(_("Visits can be recorded only during the duty week."))


def _check_files(files: Sequence[File]) -> list[CheckedUpload]:
    if len(files) > MAX_ATTACHMENTS:
        raise DutyLogError(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    try:
        return [check_upload(f) for f in files]
    except ValidationError as exc:
        raise DutyLogError(" ".join(exc.messages)) from None


@transaction.atomic
def record_visit(
    *,
    member: Member | None,
    shift: DutyShift,
    actor: User,
    visitor_name: str,
    subject: str,
    visitor_enterprise: str = "",
    enterprise: Enterprise | None = None,
    visitor_phone: str = "",
    visited_at: datetime | None = None,
    notes: str = "",
    appeal: str = "",
    files: Sequence[File] = (),
    now: datetime | None = None,
) -> DutyLogEntry:
    """Record one visitor, and the files they brought, in the duty log.

    One transaction: the entry and all its attachments, or nothing (files already
    written are removed again). The representative on duty records during their week;
    staff may record for any week that has started.
    """
    now = now or timezone.now()
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    _check_recorder(shift=shift, member=member, actor=actor, on=timezone.localdate(now))
    visited_at = visited_at or now
    check_visit_time(shift=shift, visited_at=visited_at, now=now)
    checked = _check_files(files)
    entry = DutyLogEntry(
        shift=shift,
        visitor_name=visitor_name.strip(),
        visitor_enterprise=visitor_enterprise.strip(),
        enterprise=enterprise,
        visitor_phone=visitor_phone.strip(),
        visited_at=visited_at,
        subject=subject.strip(),
        notes=notes.strip(),
        # Stripped, so "has an appeal" is simply appeal != "" in queries.
        appeal=appeal.strip(),
        recorded_by=actor,
        created_at=now,
    )
    try:
        entry.full_clean(exclude=["shift", "recorded_by", "enterprise"])
    except ValidationError as exc:
        raise DutyLogError(" ".join(exc.messages)) from None
    entry.save()
    _attach(entry, checked)
    return entry


def _attach(entry: DutyLogEntry, checked: list[CheckedUpload]) -> None:
    DutyLogAttachment.store_all(checked, entry=entry)
