"""Petitions coming in: online, entered by staff, from the duty log, in batches, and
from enterprises that are not members (a QR code and an SMS code).

Every petition gets the next number of its year (XS-2026-0001), taken under a row lock
so two intakes never share one and a number is never reused.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from chamber.models import User
from chamber.roles import roles_of
from chamber.uploads import CheckedUpload, check_upload
from members.models import DutyLogEntry, DutyShift, Enterprise
from members.services import MembershipError, prospect_enterprise
from petitions import emails, entry
from petitions.models import (
    Category,
    IntakeBatch,
    NumberSequence,
    OpinionSheet,
    Petition,
    PetitionAttachment,
    PetitionEvent,
)
from petitions.services import opinion_sheets
from petitions.services.workflow import PetitionError

MAX_ATTACHMENTS = 5
NUMBER_PREFIX = "XS"


def _take_numbers(year: int, count: int) -> list[str]:
    """Reserve `count` consecutive numbers of `year` (one locked row, whatever the count)."""
    NumberSequence.objects.get_or_create(year=year)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return [f"{NUMBER_PREFIX}-{year}-{n:04d}" for n in range(first, first + count)]


def _check_files(files: Sequence[File]) -> list[CheckedUpload]:
    if len(files) > MAX_ATTACHMENTS:
        raise PetitionError(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    try:
        return [check_upload(f) for f in files]
    except ValidationError as exc:
        raise PetitionError(" ".join(exc.messages)) from None


def _received_event(petition: Petition, actor: User | None) -> PetitionEvent:
    return PetitionEvent(
        petition=petition,
        kind=PetitionEvent.Kind.STATUS,
        to_status=Petition.Status.SUBMITTED,
        actor=actor,
        data={"channel": petition.channel},
        is_public=True,
        created_at=petition.created_at,
    )


def attach_files(
    *, petition: Petition, files: Sequence[File], actor: User | None
) -> list:
    """Store checked files with the petition under random names."""
    checked = _check_files(files)
    if petition.attachments.count() + len(checked) > MAX_ATTACHMENTS:
        raise PetitionError(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    return PetitionAttachment.store_all(checked, petition=petition, uploaded_by=actor)


@transaction.atomic
def submit_petition(
    *,
    enterprise: Enterprise,
    title: str,
    description: str,
    channel: str,
    submitted_by: User | None,
    category: Category | None = None,
    may_share_anonymously: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    activity: Activity | None = None,
    duty_log_entry: DutyLogEntry | None = None,
    duty_shift: DutyShift | None = None,
    files: Sequence[File] = (),
    now: datetime | None = None,
) -> Petition:
    """Take in one petition, from any channel; writes its first event ("submitted")."""
    now = now or timezone.now()
    title, description = " ".join(title.split()), description.strip()
    if not title or not description:
        raise PetitionError(_("A petition needs a title and a description."))
    checked = _check_files(files)
    (number,) = _take_numbers(timezone.localdate(now).year, 1)
    petition = Petition(
        number=number,
        enterprise=enterprise,
        submitted_by=submitted_by,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        channel=channel,
        activity=activity,
        duty_log_entry=duty_log_entry,
        duty_shift=duty_shift,
        title=title,
        description=description,
        may_share_anonymously=may_share_anonymously,
        category=category,
        created_at=now,
        awaiting_triage_since=now,
    )
    petition.full_clean(exclude=["number"])
    petition.save()
    _received_event(petition, submitted_by).save()
    PetitionAttachment.store_all(checked, petition=petition, uploaded_by=submitted_by)
    return petition


@transaction.atomic
def petition_from_duty_log(
    *,
    entry: DutyLogEntry,
    actor: User,
    title: str,
    description: str,
    category: Category | None = None,
    now: datetime | None = None,
) -> Petition:
    """The representative on duty (or staff) turns a visitor's appeal into a petition."""
    entry = (
        DutyLogEntry.objects.select_for_update()
        .select_related("shift")
        .get(pk=entry.pk)
    )
    roles = roles_of(actor)
    member = roles.member
    if not roles.is_staff and (
        member is None or entry.shift.representative_id != member.pk
    ):
        raise PetitionError(
            _("Only the representative of that duty week or staff can do this.")
        )
    if not entry.has_appeal:
        raise PetitionError(_("This visit brought no appeal."))
    if entry.enterprise_id is None:
        raise PetitionError(
            _(
                "Link the visitor to a member enterprise first: petitions belong to an enterprise."
            )
        )
    if Petition.objects.filter(duty_log_entry=entry).exists():
        raise PetitionError(_("This appeal is already a petition."))
    petition = submit_petition(
        enterprise=entry.enterprise,
        title=title,
        description=description,
        channel=Petition.Channel.DUTY_STUDIO,
        submitted_by=actor,
        category=category,
        contact_name=entry.visitor_name,
        contact_phone=entry.visitor_phone,
        duty_log_entry=entry,
        duty_shift=entry.shift,
        now=now,
    )
    emails.from_duty_log(petition.pk)  # to the staff who triage it, this transaction
    return petition


@transaction.atomic
def submit_guest_petition(
    *,
    mobile: str,
    enterprise_name: str,
    credit_code: str,
    area: str,
    contact_name: str,
    title: str,
    description: str,
    channel: str,
    category: Category | None = None,
    activity: Activity | None = None,
    duty_shift: DutyShift | None = None,
    now: datetime | None = None,
) -> Petition:
    """A petition of an enterprise that is not a member, from a QR code at the studio or
    a session, its mobile verified by an SMS code (the caller checks it).

    The enterprise is found by its credit code, or recorded as a non-member enterprise
    (非会员企业), so staff see who wrote and can invite it to join.
    """
    try:
        enterprise = prospect_enterprise(
            name=enterprise_name, credit_code=credit_code, area=area
        )
    except MembershipError as exc:
        raise PetitionError(str(exc)) from None
    return submit_petition(
        enterprise=enterprise,
        title=title,
        description=description,
        channel=channel,
        submitted_by=None,
        category=category,
        contact_name=contact_name,
        contact_phone=mobile,
        activity=activity,
        duty_shift=duty_shift,
        now=now,
    )


@dataclass(frozen=True)
class BatchRow:
    """One checked row of a batch (a typed line or a line of an opinion-form sheet)."""

    enterprise: Enterprise
    title: str
    description: str
    category: Category | None = None
    contact_name: str = ""
    contact_phone: str = ""
    # The number of the printed opinion form it was typed from (征求意见表), if any:
    # the petition then belongs to that form's session.
    sheet_number: str = ""


def enter_batch(
    *,
    key: str,
    rows: Sequence[BatchRow],
    channel: str,
    actor: User,
    activity: Activity | None = None,
    source: str = "",
    now: datetime | None = None,
) -> tuple[IntakeBatch, bool]:
    """Enter checked rows as petitions at once; the same key again creates nothing.

    Returns (batch, created). The numbers are reserved in one step and the petitions and
    their events are bulk-created, so a batch of 200 costs the same queries as one of 2.
    A row typed from a printed opinion form takes its form's session and channel; a
    form entered before, unknown or named twice refuses the batch (PetitionError).
    """
    if not rows:
        raise PetitionError(_("The batch has no rows."))
    existing = IntakeBatch.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _enter_batch(key, rows, channel, actor, activity, source, now), True
    except IntegrityError:
        # The same batch, submitted at the same moment by another request.
        return IntakeBatch.objects.get(key=key), False


def _enter_batch(key, rows, channel, actor, activity, source, now) -> IntakeBatch:
    now = now or timezone.now()
    sheets = opinion_sheets.sheets_to_enter(row.sheet_number for row in rows)
    # A batch of one session's forms names that session when staff named none.
    sessions = {sheet.activity for sheet in sheets.values()}
    batch = IntakeBatch.objects.create(
        key=key,
        channel=channel,
        activity=activity or (next(iter(sessions)) if len(sessions) == 1 else None),
        source=source[:120],
        created_by=actor,
        size=len(rows),
        created_at=now,
    )
    numbers = _take_numbers(timezone.localdate(now).year, len(rows))
    where = [_where(sheets.get(row.sheet_number), channel, activity) for row in rows]
    petitions = Petition.objects.bulk_create(
        Petition(
            number=number,
            enterprise=row.enterprise,
            submitted_by=actor,
            contact_name=row.contact_name,
            contact_phone=row.contact_phone,
            channel=row_channel,
            activity=row_activity,
            batch=batch,
            title=row.title,
            description=row.description,
            category=row.category,
            created_at=now,
            awaiting_triage_since=now,
        )
        for number, row, (row_channel, row_activity) in zip(
            numbers, rows, where, strict=True
        )
    )
    if petitions[0].pk is None:  # backends that do not return keys from bulk inserts
        petitions = list(Petition.objects.filter(batch=batch).order_by("pk"))
    PetitionEvent.objects.bulk_create(_received_event(p, actor) for p in petitions)
    if sheets:
        for row, petition in zip(rows, petitions, strict=True):
            if row.sheet_number:
                sheets[row.sheet_number].petition = petition
        OpinionSheet.objects.bulk_update(sheets.values(), ["petition"])
    return batch


def _where(sheet, channel: str, activity: Activity | None):
    """A row's channel and session: its printed form's session, else the batch's."""
    if sheet is None:
        return channel, activity
    return entry.session_channel(sheet.activity) or channel, sheet.activity
