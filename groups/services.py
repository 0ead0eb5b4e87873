"""Groups and points: the operations that change them, each one transaction.

The ledger is append-only: `award_points` adds an entry once per (member, year, rule,
source); `correct_entry` adds the reversing entry. Nothing here updates or deletes one.
"""

from datetime import date, datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber.models import User
from groups.models import (
    ActivityGroup,
    Award,
    AwardKind,
    CertificateBatch,
    GroupMembership,
    PointRule,
    PointsEntry,
)
from groups.selectors import points_changed
from members.models import Member
from members.selectors import directory_changed


class PointsError(Exception):
    """The rules forbid this operation; the message is safe to show to the user."""


def award_points(
    *,
    member: Member,
    rule: PointRule,
    source_id: int,
    source_label: str,
    year: int,
    actor: User | None = None,
    source: str = PointsEntry.Source.ACTIVITY,
    at: datetime | None = None,
) -> tuple[PointsEntry, bool]:
    """Award a rule's points for a source (an activity) once; a repeat returns the first entry.

    Returns (entry, created). A double submit or a retried task creates nothing new: the
    database's unique constraint decides, inside a savepoint, so the caller's
    transaction goes on.
    """
    key = {
        "member": member,
        "year": year,
        "rule": rule,
        "source": source,
        "source_id": source_id,
        "reverses__isnull": True,
    }
    earlier = list(PointsEntry.objects.filter(**key).select_related("reversed_by"))
    live = [e for e in earlier if not _is_reversed(e)]
    if live:
        return live[0], False
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                member=member,
                year=year,
                rule=rule,
                points=rule.points,
                reason=rule.name,
                source=source,
                source_id=source_id,
                source_label=source_label[:200],
                attempt=len(earlier),
                recorded_by=actor,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        # Someone else (a retried task, a double click) wrote it a moment ago.
        return PointsEntry.objects.get(**key, attempt=len(earlier)), False
    return entry, True


def _is_reversed(entry: PointsEntry) -> bool:
    try:
        return entry.reversed_by is not None
    except PointsEntry.DoesNotExist:
        return False


@transaction.atomic
def record_manual_points(
    *,
    member: Member,
    points: int,
    reason: str,
    actor: User,
    year: int | None = None,
    at: datetime | None = None,
) -> PointsEntry:
    """Staff award or deduct points by hand, with a mandatory reason."""
    reason = reason.strip()
    if not reason:
        raise PointsError(_("Give a reason: everyone can see why points changed."))
    if points == 0:
        raise PointsError(_("Zero points changes nothing."))
    return PointsEntry.objects.create(
        member=member,
        year=year or timezone.localdate().year,
        points=points,
        reason=reason[:200],
        source=PointsEntry.Source.MANUAL,
        recorded_by=actor,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def correct_entry(
    *, entry: PointsEntry, reason: str, actor: User | None
) -> PointsEntry:
    """Cancel an entry with a reversing one (same member and year, opposite points), once."""
    reason = reason.strip()
    if not reason:
        raise PointsError(_("Give a reason for the correction."))
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise PointsError(
            _("A correction cannot itself be corrected; record a new entry.")
        )
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise PointsError(_("This entry was already corrected."))
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(
                member_id=entry.member_id,
                year=entry.year,
                rule_id=entry.rule_id,
                points=-entry.points,
                reason=reason[:200],
                source=PointsEntry.Source.CORRECTION,
                source_id=entry.source_id,
                source_label=entry.source_label,
                reverses=entry,
                recorded_by=actor,
            )
    except IntegrityError:
        raise PointsError(_("This entry was already corrected.")) from None


@transaction.atomic
def set_group_members(
    *, group: ActivityGroup, members: list[Member], leaders: list[Member]
) -> ActivityGroup:
    """Make `members` the group's members for its year (moving them from other groups)."""
    year = group.year
    GroupMembership.objects.filter(member__in=members, year=year).exclude(
        group=group
    ).delete()
    GroupMembership.objects.filter(group=group).exclude(member__in=members).delete()
    have = set(
        GroupMembership.objects.filter(group=group).values_list("member_id", flat=True)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, member=m, year=year)
        for m in members
        if m.pk not in have
    )
    leader_ids = [m.pk for m in leaders]
    GroupMembership.objects.filter(group=group).update(is_leader=False)
    GroupMembership.objects.filter(group=group, member_id__in=leader_ids).update(
        is_leader=True
    )
    points_changed()  # bulk writes send no signal
    return group


@transaction.atomic
def copy_groups(*, from_year: int, to_year: int) -> int:
    """Create next year's groups as copies of this year's (same numbers, members, leaders).

    Members of enterprises that left, and groups already made for `to_year`, are skipped.
    """
    made = 0
    existing = set(
        ActivityGroup.objects.filter(year=to_year).values_list("number", flat=True)
    )
    placed = set(
        GroupMembership.objects.filter(year=to_year).values_list("member_id", flat=True)
    )
    for group in ActivityGroup.objects.filter(year=from_year).prefetch_related(
        "memberships__member__enterprise"
    ):
        if group.number in existing:
            continue
        new = ActivityGroup.objects.create(
            year=to_year, number=group.number, name=group.name
        )
        GroupMembership.objects.bulk_create(
            GroupMembership(
                group=new, member=m.member, year=to_year, is_leader=m.is_leader
            )
            for m in group.memberships.all()
            if m.member_id not in placed and m.member.is_current
        )
        made += 1
    points_changed()  # bulk writes send no signal
    return made


@transaction.atomic
def confirm_award(
    *,
    kind: AwardKind,
    year: int,
    actor: User,
    group: ActivityGroup | None = None,
    member: Member | None = None,
    rank: int | None = None,
    figures: dict | None = None,
    override_reason: str = "",
) -> Award:
    """Staff confirm a winner; choosing someone other than the proposal needs a reason."""
    from groups import selectors

    target = group or member
    if target is None or (group and member):
        raise PointsError(_("Choose one group or one member."))
    if (group is not None) != (kind.awarded_to == AwardKind.For.GROUP):
        raise PointsError(
            _("This award goes to a %(what)s.")
            % {"what": kind.get_awarded_to_display()}
        )
    proposed = selectors.award_candidates(kind=kind, year=year)[: kind.winners]
    proposed_ids = {c["target"].pk for c in proposed}
    if target.pk not in proposed_ids and not override_reason.strip():
        raise PointsError(
            _("%(name)s is not among the proposed candidates: say why you choose them.")
            % {"name": target}
        )
    award, _created = Award.objects.update_or_create(
        kind=kind,
        year=year,
        group=group,
        member=member,
        defaults={
            "rank": rank,
            "figures": figures or {},
            "override_reason": override_reason.strip(),
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
        },
    )
    return award


@transaction.atomic
def publish_awards(*, year: int, actor: User) -> int:
    """Publish the confirmed awards of a year: they appear on the public page and on
    the winners' pages in the member directory."""
    published = Award.objects.filter(year=year, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    directory_changed()
    points_changed()
    return published


# A batch not made within this time lost its task; asking again makes it too.
BATCH_LOST_AFTER = timedelta(minutes=10)


@transaction.atomic
def request_certificate_batch(*, year: int, actor: User) -> CertificateBatch:
    """Ask for all certificates of a year's published awards as one PDF, made by a task.

    The task is queued after commit; the request returns at once."""
    from groups.tasks import build_certificate_batch as build_certificate_batch_task

    if not Award.objects.filter(year=year, published_at__isnull=False).exists():
        raise PointsError(
            _("No award of %(year)d is published: there is no certificate to print.")
            % {"year": year}
        )
    batch = CertificateBatch.objects.create(year=year, requested_by=actor)
    transaction.on_commit(partial(build_certificate_batch_task.delay, batch.pk))
    # A batch of the year still unmade long after it was asked for lost its task (a
    # worker killed): it is made again now (the build does nothing to a finished one).
    lost = CertificateBatch.objects.filter(
        year=year,
        finished_at__isnull=True,
        requested_at__lt=timezone.now() - BATCH_LOST_AFTER,
    ).values_list("pk", flat=True)
    for pk in lost:
        transaction.on_commit(partial(build_certificate_batch_task.delay, pk))
    return batch


def build_certificate_batch(*, batch: CertificateBatch) -> CertificateBatch:
    """Make a batch's PDF: one page per published award of its year, in the language of
    whom asked for it.

    Idempotent: a finished batch is left as it is, and only an unfinished one is
    written, so a redelivered task changes nothing. A template that fails (a staff
    replacement) is recorded as the batch's error."""
    from django.conf import settings
    from django.utils import translation

    from chamber import documents
    from groups import paper

    if batch.finished_at is not None:
        return batch
    awards = list(
        paper.published_certificates()
        .filter(year=batch.year)
        .order_by("kind__sort_order", "kind__name", "rank", "pk")
    )
    done = {"pages": len(awards), "content": b"", "error": ""}
    language = batch.requested_by.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            done["content"] = documents.render_pdf(paper.KEY, paper.context_of(awards))
    except documents.DocumentError as exc:
        done.update(pages=0, error=str(exc)[:500])
    CertificateBatch.objects.filter(pk=batch.pk, finished_at__isnull=True).update(
        finished_at=timezone.now(), **done
    )
    batch.refresh_from_db()
    return batch


def year_of(day: date) -> int:
    return day.year
