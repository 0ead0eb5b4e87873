"""A petition's way from triage to the enterprise's rating; every move writes one event.

Each function is one transaction that locks the petition row first, checks the move
against ALLOWED, changes the row and writes one immutable PetitionEvent. E-mails go
out after commit (STYLE B4).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber import workdays
from chamber.models import Department, User
from petitions import emails
from petitions.models import (
    Category,
    Extension,
    InfoRequest,
    Petition,
    PetitionEvent,
    ReturnVisit,
)

S = Petition.Status


class PetitionError(Exception):
    """The rules forbid this operation; the message is safe to show to the user."""


ALLOWED: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACCEPTED, S.REJECTED, S.MERGED},
    # Accepted again: staff change the triage (category, priority, who handles it).
    S.ACCEPTED: {S.ACCEPTED, S.DISPATCHED, S.REPLIED, S.REJECTED, S.MERGED},
    # A department signs for it (in progress) or returns it to triage (submitted).
    S.DISPATCHED: {S.IN_PROGRESS, S.SUBMITTED},
    # Or the department asks the enterprise for something: its clock stops (待企业补充)
    # until the enterprise answers or staff close the request.
    S.IN_PROGRESS: {S.REPLIED, S.SUBMITTED, S.AWAITING_INFO},
    S.AWAITING_INFO: {S.IN_PROGRESS},
    # Rated: closed; unsatisfied: back to the department (in progress) or the chamber.
    S.REPLIED: {S.CLOSED, S.IN_PROGRESS, S.ACCEPTED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),
}


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition.pk)


def _refuse(petition: Petition, to: str) -> PetitionError:
    return PetitionError(
        _("A petition that is %(old)s cannot become %(new)s.")
        % {"old": petition.get_status_display(), "new": Petition.Status(to).label}
    )


def _move(
    petition: Petition,
    to: str,
    *,
    actor: User | None,
    note: str = "",
    fields: tuple[str, ...] = (),
    data: dict | None = None,
    public: bool = True,
    now: datetime | None = None,
) -> PetitionEvent:
    """Change the status, save the named fields with it and write the status event."""
    if to not in ALLOWED.get(petition.status, set()):
        raise _refuse(petition, to)
    old = petition.status
    petition.status = to
    petition.save(update_fields=["status", *fields])
    return PetitionEvent.objects.create(
        petition=petition,
        kind=PetitionEvent.Kind.STATUS,
        from_status=old,
        to_status=to,
        actor=actor,
        note=note,
        data=data or {},
        is_public=public,
        created_at=now or timezone.now(),
    )


def _event(
    petition: Petition,
    kind: str,
    *,
    actor: User | None,
    note: str = "",
    public: bool = False,
    data: dict | None = None,
    now: datetime | None = None,
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        kind=kind,
        actor=actor,
        note=note,
        data=data or {},
        is_public=public,
        created_at=now or timezone.now(),
    )


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PetitionError(message)
    return text


def due_date(*, category: Category, priority: str, start: date) -> date:
    """The reply is due this many working days after `start` (Chinese working calendar)."""
    return workdays.add_working_days(start, category.limit(priority))


@transaction.atomic
def accept_petition(
    *,
    petition: Petition,
    actor: User,
    category: Category,
    priority: str,
    handling: str,
    note: str = "",
    now: datetime | None = None,
) -> Petition:
    """Triage: staff settle the category, the priority and who handles it (or change them)."""
    now = now or timezone.now()
    petition = _locked(petition)
    if petition.status not in (S.SUBMITTED, S.ACCEPTED):
        # REPLIED → ACCEPTED is the unsatisfied rating's move, not a triage.
        raise _refuse(petition, S.ACCEPTED)
    petition.category = category
    petition.priority = priority
    petition.handling = handling
    petition.accepted_at = now
    event = _move(
        petition,
        S.ACCEPTED,
        actor=actor,
        note=note,
        fields=("category", "priority", "handling", "accepted_at"),
        data={"category": category.name, "priority": priority, "handling": handling},
        now=now,
    )
    emails.accepted(event.pk)  # to the enterprise, in the outbox, this transaction
    return petition


@transaction.atomic
def dispatch_petition(
    *,
    petition: Petition,
    department: Department,
    actor: User,
    note: str = "",
    now: datetime | None = None,
) -> Petition:
    """Send an accepted petition to a department, due in N working days; its officials are told."""
    now = now or timezone.now()
    petition = _locked(petition)
    if S.DISPATCHED not in ALLOWED[petition.status]:
        raise _refuse(petition, S.DISPATCHED)  # before the due date needs a category
    if petition.status == S.ACCEPTED and petition.handling == Petition.Handling.CHAMBER:
        raise PetitionError(
            _(
                "This petition is handled by the chamber; triage it again to dispatch it."
            )
        )
    if not department.is_active:
        raise PetitionError(_("This department is no longer active."))
    petition.department = department
    petition.dispatched_at = now
    petition.due_on = due_date(
        category=petition.category,
        priority=petition.priority,
        start=timezone.localdate(now),
    )
    petition.original_due_on = petition.due_on
    petition.paused_working_days = 0  # this department's clock: its own pauses only
    petition.signed_at = None
    petition.signed_by = None
    petition.department_replied_at = None
    petition.supervised_on = None  # a new due date: supervised again only if late again
    event = _move(
        petition,
        S.DISPATCHED,
        actor=actor,
        note=note,
        fields=(
            "department",
            "dispatched_at",
            "due_on",
            "original_due_on",
            "paused_working_days",
            "signed_at",
            "signed_by",
            "department_replied_at",
            "supervised_on",
        ),
        data={
            "department": department.name,
            "department_id": department.pk,
            "due_on": petition.due_on.isoformat(),
        },
        now=now,
    )
    # The officials and the enterprise, queued in the outbox, in this transaction.
    emails.dispatched(petition.pk, event_id=event.pk)
    return petition


def _check_staff(actor: User, message: str) -> None:
    """Only the chamber's staff do this (`message` says what)."""
    from chamber.roles import roles_of

    if not roles_of(actor).is_staff:
        raise PetitionError(message)


def _check_department(petition: Petition, actor: User) -> None:
    """Only an active official of the petition's department (or staff) acts for the department."""
    from chamber.roles import roles_of

    roles = roles_of(actor)
    if roles.is_staff:
        return
    official = roles.official
    if official is None or official.department_id != petition.department_id:
        raise PetitionError(_("Only the department it was dispatched to can do this."))


@transaction.atomic
def sign_petition(
    *, petition: Petition, actor: User, now: datetime | None = None
) -> Petition:
    """The department's liaison signs for it (签收): the department has taken it up."""
    now = now or timezone.now()
    petition = _locked(petition)
    _check_department(petition, actor)
    if petition.status != S.DISPATCHED:
        # REPLIED → IN_PROGRESS is the unsatisfied rating's move, not a signature.
        raise _refuse(petition, S.IN_PROGRESS)
    petition.signed_at = now
    petition.signed_by = actor
    _move(
        petition, S.IN_PROGRESS, actor=actor, fields=("signed_at", "signed_by"), now=now
    )
    return petition


@transaction.atomic
def return_petition(
    *, petition: Petition, actor: User, basis: str, now: datetime | None = None
) -> Petition:
    """Not this department's duty: back to triage with the stated basis; the bounce count grows."""
    basis = _required(basis, _("Say why this is not your department's duty."))
    petition = _locked(petition)
    _check_department(petition, actor)
    department = petition.department
    petition.department = None
    petition.due_on = petition.original_due_on = None
    petition.signed_at = None
    petition.signed_by = None
    petition.handling = ""
    petition.department_replied_at = None
    petition.bounce_count += 1
    # Back at triage: the one-working-day clock starts again, supervision ends.
    petition.awaiting_triage_since = now or timezone.now()
    petition.triage_flagged_on = None
    petition.supervised_on = None
    event = _move(
        petition,
        S.SUBMITTED,
        actor=actor,
        note=basis,
        fields=(
            "department",
            "due_on",
            "original_due_on",
            "signed_at",
            "signed_by",
            "handling",
            "department_replied_at",
            "bounce_count",
            "awaiting_triage_since",
            "triage_flagged_on",
            "supervised_on",
        ),
        data={
            "returned_by": department.name if department else "",
            "returned_by_id": department.pk if department else None,
            "bounce": True,
        },
        public=False,
        now=now,
    )
    emails.returned(event.pk)  # to the staff who handle petitions, this transaction
    return petition


@transaction.atomic
def record_progress(
    *, petition: Petition, actor: User, note: str, now: datetime | None = None
) -> PetitionEvent:
    """The department says how the work goes; the enterprise sees it on its timeline."""
    note = _required(note, _("Write what has been done."))
    petition = _locked(petition)
    _check_department(petition, actor)
    if petition.status == S.AWAITING_INFO:
        raise PetitionError(_("The petition waits for the enterprise's information."))
    if petition.status != S.IN_PROGRESS:
        raise PetitionError(_("Sign for the petition before recording progress."))
    event = _event(
        petition,
        PetitionEvent.Kind.PROGRESS,
        actor=actor,
        note=note,
        public=True,
        now=now,
    )
    emails.progress(event.pk)  # to the enterprise, in the outbox, this transaction
    return event


@transaction.atomic
def record_department_reply(
    *,
    petition: Petition,
    actor: User,
    outcome: str,
    reply: str,
    follow_up_plan: str = "",
    instruction_answer: str = "",
    now: datetime | None = None,
) -> Petition:
    """The department replies; staff review the reply before the enterprise reads it.

    While a district leader's instruction (批示) is open, the reply must also say how it
    was carried out (`instruction_answer`); the reply then answers it (已落实).
    """
    now = now or timezone.now()
    reply = _required(reply, _("Write the reply."))
    if outcome not in Petition.Outcome.values:
        raise PetitionError(_("Choose the outcome."))
    if outcome != Petition.Outcome.RESOLVED and not follow_up_plan.strip():
        raise PetitionError(_("A petition not wholly resolved needs a follow-up plan."))
    petition = _locked(petition)
    _check_department(petition, actor)
    if petition.status == S.DISPATCHED:
        raise PetitionError(_("Sign for the petition before replying."))
    if petition.status != S.IN_PROGRESS:
        raise _refuse(petition, S.REPLIED)
    answered = _answered_instructions(petition, instruction_answer)
    petition.outcome = outcome
    petition.department_reply = reply
    petition.follow_up_plan = follow_up_plan.strip()
    petition.department_replied_at = now
    petition.department_replied_by = actor
    petition.save(
        update_fields=[
            "outcome",
            "department_reply",
            "follow_up_plan",
            "department_replied_at",
            "department_replied_by",
        ]
    )
    event = _event(
        petition,
        PetitionEvent.Kind.DEPARTMENT_REPLY,
        actor=actor,
        note=reply,
        data={
            "outcome": outcome,
            "follow_up_plan": petition.follow_up_plan,
            **answered,
        },
        now=now,
    )
    emails.department_replied(event.pk)  # to the staff who review it, this transaction
    return petition


def _answered_instructions(petition: Petition, answer: str) -> dict:
    """What a department's reply says of the open instructions (their ids and how they
    were carried out); refused when instructions are open and it says nothing."""
    open_ids = list(
        PetitionEvent.objects.open_instructions()
        .filter(petition=petition)
        .values_list("pk", flat=True)
    )
    if not open_ids:
        return {}
    answer = _required(
        answer, _("Say how the district leader's instruction was carried out.")
    )
    return {"instructions": open_ids, "instruction_answer": answer}


@transaction.atomic
def send_back_reply(
    *, petition: Petition, actor: User, note: str, now: datetime | None = None
) -> Petition:
    """Staff find the department's reply not good enough and ask for another."""
    note = _required(note, _("Say what the reply is missing."))
    petition = _locked(petition)
    if not petition.awaits_review:
        raise PetitionError(_("There is no reply waiting for review."))
    petition.department_replied_at = None
    petition.save(update_fields=["department_replied_at"])
    _event(petition, PetitionEvent.Kind.REVIEW, actor=actor, note=note, now=now)
    return petition


@transaction.atomic
def answer_petition(
    *,
    petition: Petition,
    actor: User,
    answer: str,
    outcome: str = "",
    now: datetime | None = None,
) -> Petition:
    """Send the answer to the enterprise: a reviewed department reply, or the chamber's own.

    The enterprise's members are e-mailed a link to rate it.
    """
    now = now or timezone.now()
    answer = _required(answer, _("Write the answer to the enterprise."))
    petition = _locked(petition)
    if S.REPLIED not in ALLOWED[petition.status]:
        raise _refuse(petition, S.REPLIED)  # before the due date needs a category
    if petition.status == S.IN_PROGRESS and not petition.awaits_review:
        raise PetitionError(_("The department has not replied yet."))
    if petition.status == S.ACCEPTED:
        if petition.handling != Petition.Handling.CHAMBER:
            raise PetitionError(
                _("Dispatch this petition, or triage it as handled by the chamber.")
            )
        if outcome not in Petition.Outcome.values:
            raise PetitionError(_("Choose the outcome."))
        petition.outcome = outcome
    due = petition.due_on or due_date(
        category=petition.category,
        priority=petition.priority,
        start=timezone.localdate(petition.accepted_at or petition.created_at),
    )
    petition.answer = answer
    petition.answered_at = now
    petition.answer_round += 1
    petition.rating = ""
    petition.rating_comment = ""
    petition.rated_at = None
    _move(
        petition,
        S.REPLIED,
        actor=actor,
        note=answer,
        fields=(
            "outcome",
            "answer",
            "answered_at",
            "answer_round",
            "rating",
            "rating_comment",
            "rated_at",
        ),
        data={
            "outcome": petition.outcome,
            "department_id": petition.department_id,
            # On time against the approved date (an extension moves it) and against
            # the original one; a pause for the enterprise moves both.
            "due_on": due.isoformat(),
            "on_time": timezone.localdate(now) <= due,
            "original_due_on": (petition.original_due_on or due).isoformat(),
            "on_time_original": timezone.localdate(now)
            <= (petition.original_due_on or due),
            "paused": petition.paused_working_days,
        },
        now=now,
    )
    emails.answered(
        petition.pk, petition.answer_round
    )  # in the outbox, this transaction
    return petition


def _check_rating(*, solved: str, rating: str, comment: str) -> str:
    """The enterprise's two answers (问题是否解决, 满意度); what is not solved or not
    satisfying needs a word on what is missing. Returns the comment, stripped."""
    comment = (comment or "").strip()
    if solved not in Petition.Solved.values:
        raise PetitionError(_("Say whether the problem was solved."))
    if rating not in (
        Petition.Rating.SATISFIED,
        Petition.Rating.BASICALLY,
        Petition.Rating.UNSATISFIED,
    ):
        raise PetitionError(_("Choose a rating."))
    if (
        rating == Petition.Rating.UNSATISFIED or solved == Petition.Solved.UNSOLVED
    ) and not comment:
        raise PetitionError(
            _("Tell us what is still unresolved, so it can be followed up.")
        )
    return comment


@transaction.atomic
def rate_petition(
    *,
    petition: Petition,
    solved: str,
    rating: str,
    comment: str = "",
    actor: User | None,
    answer_round: int | None = None,
    now: datetime | None = None,
) -> Petition:
    """The enterprise says whether its problem was solved and how satisfied it is:
    satisfied or basically satisfied closes the petition; unsatisfied sends it back.

    `answer_round`, from a signed link, must be the current answer's: a link works once.
    """
    comment = _check_rating(solved=solved, rating=rating, comment=comment)
    petition = _locked(petition)
    if petition.status != S.REPLIED or (
        answer_round is not None and answer_round != petition.answer_round
    ):
        raise PetitionError(_("This answer has been rated already."))
    return _rate(
        petition, solved=solved, rating=rating, comment=comment, actor=actor, now=now
    )


def _rate(
    petition: Petition,
    *,
    solved: str,
    rating: str,
    comment: str,
    actor: User | None,
    now: datetime | None,
    visit: ReturnVisit | None = None,
) -> Petition:
    """Record the enterprise's answers on the locked, replied petition and move it."""
    now = now or timezone.now()
    data = {
        "rating": rating,
        "solved": solved,
        "department_id": petition.department_id,
    }
    if visit is not None:
        data["return_visit"] = visit.pk
    petition.solved, petition.rating = solved, rating
    petition.rating_comment, petition.rated_at = comment, now
    petition.rating_taken_by = visit.staff if visit is not None else None
    fields = ["solved", "rating", "rating_comment", "rated_at", "rating_taken_by"]
    if rating != Petition.Rating.UNSATISFIED:
        petition.closed_at = now
        _move(
            petition,
            S.CLOSED,
            actor=actor,
            note=comment,
            data=data,
            now=now,
            fields=(*fields, "closed_at"),
        )
        return petition
    petition.department_replied_at = None
    fields.append("department_replied_at")
    if petition.department_id:
        # Reopened to the same department, with a fresh time limit from today.
        petition.due_on = petition.original_due_on = due_date(
            category=petition.category,
            priority=petition.priority,
            start=timezone.localdate(now),
        )
        petition.supervised_on = None
        fields += ["due_on", "original_due_on", "supervised_on"]
        to = S.IN_PROGRESS
        data["due_on"] = petition.due_on.isoformat()
    else:
        to = S.ACCEPTED
    event = _move(
        petition,
        to,
        actor=actor,
        note=comment,
        data={**data, "reopened": True},
        fields=tuple(fields),
        now=now,
    )
    emails.rated_unsatisfied(event.pk)  # to the staff who handle petitions
    if petition.department_id:
        emails.dispatched(petition.pk)  # queued in the outbox, in this transaction
    return petition


@transaction.atomic
def record_return_visit(
    *,
    petition: Petition,
    actor: User,
    way: str,
    spoke_with: str,
    visited_at: datetime,
    solved: str,
    rating: str,
    note: str = "",
    now: datetime | None = None,
) -> ReturnVisit:
    """回访: staff called on the enterprise (by phone or in person) about the answer; its
    two answers count as its rating, marked as taken by this staff member."""
    now = now or timezone.now()
    _check_staff(actor, _("Only the chamber's staff record return visits."))
    if way not in ReturnVisit.Way.values:
        raise PetitionError(_("Say how the enterprise was reached."))
    spoke_with = _required(spoke_with, _("Say whom you spoke with."))
    note = _check_rating(solved=solved, rating=rating, comment=note)
    petition = _locked(petition)
    if petition.status != S.REPLIED:
        raise PetitionError(_("This answer has been rated already."))
    # Staff give the time to the minute: the minute of the answer itself will do.
    answered = petition.answered_at.replace(second=0, microsecond=0)
    if visited_at > now or visited_at < answered:
        raise PetitionError(_("The return visit must fall between the answer and now."))
    visit = ReturnVisit.objects.create(
        petition=petition,
        answer_round=petition.answer_round,
        staff=actor,
        way=way,
        spoke_with=spoke_with,
        visited_at=visited_at,
        solved=solved,
        rating=rating,
        note=note,
        created_at=now,
    )
    _rate(
        petition,
        solved=solved,
        rating=rating,
        comment=note,
        actor=actor,
        now=now,
        visit=visit,
    )
    return visit


# --- 待企业补充: the clock stops only while the enterprise is asked for something ------


@transaction.atomic
def ask_enterprise(
    *, petition: Petition, actor: User, request: str, now: datetime | None = None
) -> InfoRequest:
    """The department (or staff) asks the enterprise for something it needs (documents,
    a date for a site visit). The petition awaits the enterprise's information and the
    working-day clock stands still until it answers; one request open at a time."""
    now = now or timezone.now()
    request = _required(request, _("Say what the enterprise should provide."))
    petition = _locked(petition)
    _check_department(petition, actor)
    if petition.status == S.AWAITING_INFO:
        raise PetitionError(_("A request to the enterprise is already open."))
    if petition.status == S.DISPATCHED:
        raise PetitionError(_("Sign for the petition before asking the enterprise."))
    if S.AWAITING_INFO not in ALLOWED[petition.status]:
        raise _refuse(petition, S.AWAITING_INFO)
    if petition.awaits_review:
        raise PetitionError(_("The department has replied already."))
    info = InfoRequest.objects.create(
        petition=petition,
        department=petition.department,
        request=request,
        asked_by=actor,
        asked_at=now,
    )
    event = _move(
        petition,
        S.AWAITING_INFO,
        actor=actor,
        note=request,
        data={"info_request": info.pk, "department_id": petition.department_id},
        now=now,
    )
    emails.info_requested(
        event.pk
    )  # to the enterprise, in the outbox, this transaction
    return info


def _end_request(
    petition: Petition,
    *,
    ending: str,
    actor: User | None,
    answer: str,
    now: datetime,
) -> InfoRequest:
    """Close the open request; the working days it stood open move both due dates."""
    info = InfoRequest.objects.select_for_update().open().get(petition=petition)
    asked_on = timezone.localdate(info.asked_at)
    # The working days after the day it was asked, up to the day it closed.
    paused = len(
        workdays.working_days(asked_on + timedelta(days=1), timezone.localdate(now))
    )
    info.ending, info.answer, info.closed_by, info.closed_at = (
        ending,
        answer,
        actor,
        now,
    )
    info.paused_working_days = paused
    info.save(
        update_fields=[
            "ending",
            "answer",
            "closed_by",
            "closed_at",
            "paused_working_days",
        ]
    )
    petition.original_due_on = workdays.add_working_days(
        petition.original_due_on or petition.due_on, paused
    )
    petition.due_on = workdays.add_working_days(petition.due_on, paused)
    petition.paused_working_days += paused
    if petition.due_on >= timezone.localdate(now):
        petition.supervised_on = (
            None  # not late any more: supervised again if late again
        )
    event = _move(
        petition,
        S.IN_PROGRESS,
        actor=actor,
        note=answer,
        fields=("due_on", "original_due_on", "paused_working_days", "supervised_on"),
        data={
            "info_request": info.pk,
            "ending": ending,
            "paused": paused,
            "due_on": petition.due_on.isoformat(),
            "department_id": petition.department_id,
        },
        now=now,
    )
    emails.info_answered(event.pk)  # to the department, in the outbox, this transaction
    return info


@transaction.atomic
def answer_info_request(
    *, petition: Petition, actor: User, answer: str, now: datetime | None = None
) -> InfoRequest:
    """The enterprise answers the open request on its petition's page: the department's
    clock starts again, later by the working days it waited."""
    answer = _required(answer, _("Write your answer."))
    petition = _locked(petition)
    if petition.status != S.AWAITING_INFO:
        raise PetitionError(_("There is no open request to answer."))
    return _end_request(
        petition,
        ending=InfoRequest.Ending.ANSWERED,
        actor=actor,
        answer=answer,
        now=now or timezone.now(),
    )


def info_request_deadline(info: InfoRequest) -> date:
    """The last day the enterprise has to answer; after it staff may close the request."""
    from chamber import method_rules

    return workdays.add_working_days(
        timezone.localdate(info.asked_at), method_rules.current().info_request_timeout
    )


@transaction.atomic
def close_info_request(
    *, petition: Petition, actor: User, note: str = "", now: datetime | None = None
) -> InfoRequest:
    """Staff close a request the enterprise left unanswered past its time: the clock
    starts again (the waiting still moves the due dates)."""
    now = now or timezone.now()
    _check_staff(actor, _("Only the chamber's staff close a request."))
    petition = _locked(petition)
    if petition.status != S.AWAITING_INFO:
        raise PetitionError(_("There is no open request to close."))
    info = InfoRequest.objects.open().get(petition=petition)
    deadline = info_request_deadline(info)
    if timezone.localdate(now) <= deadline:
        raise PetitionError(
            _("The enterprise has until %(date)s to answer.")
            % {"date": f"{deadline:%Y-%m-%d}"}
        )
    return _end_request(
        petition,
        ending=InfoRequest.Ending.TIMED_OUT,
        actor=actor,
        answer=(note or "").strip(),
        now=now,
    )


# --- 延期: more time, asked once before the due date, decided by staff -----------------


@transaction.atomic
def ask_extension(
    *,
    petition: Petition,
    actor: User,
    reason: str,
    proposed_due: date,
    now: datetime | None = None,
) -> Extension:
    """The department asks, once and before the due date, for a later one."""
    now = now or timezone.now()
    reason = _required(reason, _("Say why more time is needed."))
    petition = _locked(petition)
    _check_department(petition, actor)
    if not petition.is_waiting_at_department:
        raise PetitionError(
            _("Only a petition waiting for the department's reply can be extended.")
        )
    if timezone.localdate(now) > petition.due_on:
        raise PetitionError(
            _("The due date has passed: an extension must be asked before it.")
        )
    if proposed_due is None or proposed_due <= petition.due_on:
        raise PetitionError(
            _("Propose a date after the current due date (%(date)s).")
            % {"date": f"{petition.due_on:%Y-%m-%d}"}
        )
    if Extension.objects.filter(
        petition=petition, department_id=petition.department_id
    ).exists():
        raise PetitionError(
            _("The department has asked for an extension of this petition already.")
        )
    extension = Extension.objects.create(
        petition=petition,
        department_id=petition.department_id,
        reason=reason,
        due_before=petition.due_on,
        proposed_due=proposed_due,
        asked_by=actor,
        asked_at=now,
    )
    event = _event(
        petition,
        PetitionEvent.Kind.EXTENSION,
        actor=actor,
        note=reason,
        data={
            "extension": extension.pk,
            "department_id": petition.department_id,
            "due_on": petition.due_on.isoformat(),
            "proposed_due": proposed_due.isoformat(),
        },
        now=now,
    )
    emails.extension_asked(event.pk)  # to the staff who handle petitions
    return extension


@transaction.atomic
def decide_extension(
    *,
    extension: Extension,
    actor: User,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Extension:
    """Staff approve an extension (the due date moves) or refuse it with a reason."""
    now = now or timezone.now()
    note = (note or "").strip()
    _check_staff(actor, _("Only the chamber's staff decide on extensions."))
    if not approve and not note:
        raise PetitionError(_("Give the department the reason for the refusal."))
    petition = _locked(extension.petition)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.ASKED:
        raise PetitionError(_("This extension has been decided already."))
    data = {
        "extension": extension.pk,
        "approved": approve,
        "department_id": extension.department_id,
    }
    if approve:
        # Still the department's: waiting for its reply, or for the enterprise's answer.
        still_with_department = (
            petition.is_waiting_at_department or petition.status == S.AWAITING_INFO
        )
        if (
            not still_with_department
            or petition.department_id != extension.department_id
        ):
            raise PetitionError(
                _("The petition no longer waits for this department's reply.")
            )
        data["due_before"] = petition.due_on.isoformat()
        petition.due_on = extension.proposed_due
        petition.supervised_on = None  # late again only after the new date
        petition.save(update_fields=["due_on", "supervised_on"])
        data["due_on"] = petition.due_on.isoformat()
    extension.status = (
        Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    )
    extension.decided_by, extension.decided_at = actor, now
    extension.decision_note = note
    extension.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note"]
    )
    event = _event(
        petition,
        PetitionEvent.Kind.EXTENSION_DECISION,
        actor=actor,
        note=note,
        data=data,
        now=now,
    )
    emails.extension_decided(event.pk)  # to the department's officials
    return extension


def _end_with_reason(
    petition: Petition,
    to: str,
    *,
    actor: User,
    reason: str,
    now: datetime,
    fields: tuple[str, ...] = (),
    data: dict | None = None,
) -> Petition:
    """Reject or merge: the reason is the enterprise's answer, and it is told after commit."""
    petition.answer, petition.answered_at, petition.closed_at = reason, now, now
    petition.answer_round += 1
    _move(
        petition,
        to,
        actor=actor,
        note=reason,
        now=now,
        data=data,
        fields=(*fields, "answer", "answered_at", "closed_at", "answer_round"),
    )
    emails.answered(
        petition.pk, petition.answer_round
    )  # in the outbox, this transaction
    return petition


@transaction.atomic
def reject_petition(
    *, petition: Petition, actor: User, reason: str, now: datetime | None = None
) -> Petition:
    """Not something the chamber can take up; the enterprise still gets the reason."""
    reason = _required(reason, _("Give the enterprise the reason."))
    return _end_with_reason(
        _locked(petition),
        S.REJECTED,
        actor=actor,
        reason=reason,
        now=now or timezone.now(),
    )


@transaction.atomic
def merge_petition(
    *,
    petition: Petition,
    into: Petition,
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> Petition:
    """The same matter as another petition: followed there; the enterprise gets the reason."""
    reason = _required(reason, _("Give the enterprise the reason."))
    if into.pk == petition.pk:
        raise PetitionError(_("A petition cannot be merged into itself."))
    if into.status == S.MERGED:
        raise PetitionError(
            _("That petition was itself merged; merge into %(number)s instead.")
            % {"number": into.merged_into.number}
        )
    petition = _locked(petition)
    petition.merged_into = into
    return _end_with_reason(
        petition,
        S.MERGED,
        actor=actor,
        reason=reason,
        now=now or timezone.now(),
        fields=("merged_into",),
        data={"merged_into": into.number},
    )


@transaction.atomic
def add_note(
    *,
    petition: Petition,
    actor: User,
    note: str,
    public: bool = False,
    now: datetime | None = None,
) -> PetitionEvent:
    """A staff note on the file; shown to the enterprise only when `public`."""
    note = _required(note, _("Write the note."))
    petition = _locked(petition)
    return _event(
        petition,
        PetitionEvent.Kind.NOTE,
        actor=actor,
        note=note,
        public=public,
        now=now,
    )
