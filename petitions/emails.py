"""The petitions app's e-mails, one function per kind (STYLE B8); each notice is sent once.

The dispatch notice and the answer are queued in the outbox by the workflow's own
transaction (`dispatched`, `answered`): if the change commits, its messages exist, and a
broker that is down only delays them (chamber/outbox.py). The review step's notices are
written by the step that finds them, in its transaction too.

The staff who handle petitions (User.handles_petitions, set in the admin; every active
staff user with an e-mail while nobody is ticked) are told of what needs them: a
department's reply to review, a return, a petition from the duty log, an unsatisfied
rating, a district leader's 批示; each at once, or in one digest each working-day
morning (`staff_digest`, read from the events) as each of them chose. The member who
submitted a petition hears its progress (accepted, sent to a department, the progress
a department shows the enterprise, answered), as their profile chooses (Member.notify_*).
"""

from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chamber import outbox, workdays
from chamber.models import Official, User
from members.models import Member
from petitions import selectors
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun
from petitions.tokens import rating_token


def _officials_of(department_ids) -> list[Official]:
    """The active officials of these departments, each department's liaison first."""
    return list(
        Official.objects.filter(
            department_id__in=department_ids, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("-is_liaison", "user__full_name")
    )


def _department_officials(department_id: int) -> list[User]:
    """The liaison first, then the department's other active officials."""
    return [o.user for o in _officials_of([department_id])]


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))


def _handlers() -> list[User]:
    """The staff who handle petitions: those ticked in the admin, or, while nobody is
    ticked, every active staff user with an e-mail address (so nothing is lost)."""
    staff = list(
        User.objects.filter(is_staff=True, is_active=True)
        .filter(Q(handles_petitions=True) | ~Q(email=""))
        .order_by("pk")
    )
    return [u for u in staff if u.handles_petitions] or staff


def _members_told(petition: Petition, choice: str) -> list[Member]:
    """Who hears a petition's news: the member who submitted it, otherwise every active
    member of the enterprise; of them, those whose profile keeps `choice` on."""
    members = list(
        Member.objects.filter(
            enterprise_id=petition.enterprise_id, user__is_active=True
        ).select_related("user")
    )
    mine = [m for m in members if m.user_id == petition.submitted_by_id]
    return [m for m in mine or members if not choice or getattr(m, choice)]


def _event(event_id: int) -> PetitionEvent:
    return PetitionEvent.objects.select_related(
        "actor", "petition", "petition__enterprise", "petition__department"
    ).get(pk=event_id)


def _leaders() -> list[User]:
    return [
        o.user
        for o in Official.objects.filter(
            is_leader=True, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def dispatched(petition_id: int, *, event_id: int | None = None) -> None:
    """To the department's officials; for a dispatch by staff (`event_id`, its event),
    also to the enterprise (`sent_to_department`), in the same INSERT."""
    petition = Petition.objects.select_related("department", "category").get(
        pk=petition_id
    )
    if (
        petition.status not in Petition.WITH_DEPARTMENT
        or petition.department_id is None
    ):
        return
    path = reverse("petitions:department_detail", args=[petition.pk])
    # One notice per dispatch (the due date changes with each dispatch or reopening).
    notices = [
        outbox.Notice(
            f"petition-dispatched:{petition.pk}:{petition.due_on}:{user.pk}",
            "petition-dispatched",
            user,
            {"petition": petition, "path": path},
        )
        for user in _department_officials(petition.department_id)
    ]
    if event_id is not None:
        notices += sent_to_department(petition, event_id)
    outbox.queue_all(notices)


def answered(petition_id: int, answer_round: int) -> None:
    """The answer, with its rating link, to the member who submitted the petition (or
    the enterprise's members), unless their profile says no: the portal shows the
    answer and its rating form all the same."""
    petition = Petition.objects.select_related("enterprise").get(pk=petition_id)
    if petition.answer_round != answer_round:
        return  # a later answer replaced this one
    members = _members_told(petition, "notify_answered")
    replied = petition.status == Petition.Status.REPLIED

    def rate_path(user_id: int) -> str:
        token = rating_token(
            petition_id=petition.pk, answer_round=answer_round, user_id=user_id
        )
        return reverse("petitions:rate_by_link", args=[token]) if replied else ""

    outbox.queue_all(
        outbox.Notice(
            f"petition-answered:{petition.pk}:{answer_round}:{member.user_id}",
            "petition-answered",
            member.user,
            {
                "petition": petition,
                "path": petition.get_absolute_url(),
                "rate_path": rate_path(member.user_id),
            },
        )
        for member in members
    )


def instruction(event_id: int) -> None:
    """A district leader's instruction (批示), at once to the department's liaison and
    its other active officials (none while no department can see the petition), and
    to the staff who handle petitions, in one INSERT."""
    event = _event(event_id)
    petition = event.petition
    notices = _to_handlers("petition-instruction-to-staff", event)
    if petition.department_id is not None and petition.dispatched_at is not None:
        path = reverse("petitions:department_detail", args=[petition.pk])
        notices += [
            outbox.Notice(
                f"petition-instruction:{event.pk}:{user.pk}",
                "petition-instruction",
                user,
                {"petition": petition, "instruction": event, "path": path},
            )
            for user in _department_officials(petition.department_id)
        ]
    outbox.queue_all(notices)


# --- to the staff who handle petitions ------------------------------------------------

# What each kind of staff notice tells, as one line of the daily digest.
STAFF_EVENTS = {
    "petition-replied": _("replied; review the reply"),
    "petition-returned": _("returned it as not its duty"),
    "petition-from-duty-log": _("registered it from the duty log"),
    "petition-unsatisfied": _("rated the answer unsatisfied"),
    "petition-instruction-to-staff": _("wrote an instruction"),
    "petition-extension-asked": _("asked for an extension; decide on it"),
    "petition-addition": _("added to its petition"),
}


def staff_events_q() -> Q:
    """The events the handlers are told of (those of STAFF_EVENTS), as written by the
    workflow: read back from the timeline for the daily digest."""
    E, S = PetitionEvent.Kind, Petition.Status
    received = Q(kind=E.STATUS, from_status="", to_status=S.SUBMITTED)
    return (
        Q(kind__in=(E.DEPARTMENT_REPLY, E.INSTRUCTION, E.EXTENSION))
        | Q(
            kind=E.STATUS,
            from_status__in=Petition.WITH_DEPARTMENT,
            to_status=S.SUBMITTED,
        )
        | (received & Q(petition__duty_log_entry__isnull=False))
        | Q(
            kind=E.STATUS,
            from_status=S.REPLIED,
            data__rating=Petition.Rating.UNSATISFIED,
        )
        # an enterprise's addition while the chamber holds the petition (`added`)
        | Q(kind=E.ADDITION, data__holder="chamber")
    )


def _staff_kind(event: PetitionEvent) -> str:
    """The staff notice an event of `staff_events_q` is told by."""
    E = PetitionEvent.Kind
    if event.kind == E.DEPARTMENT_REPLY:
        return "petition-replied"
    if event.kind == E.INSTRUCTION:
        return "petition-instruction-to-staff"
    if event.kind == E.EXTENSION:
        return "petition-extension-asked"
    if event.kind == E.ADDITION:
        return "petition-addition"
    if event.from_status == Petition.Status.REPLIED:
        return "petition-unsatisfied"
    if event.from_status:
        return "petition-returned"
    return "petition-from-duty-log"


def _who(event: PetitionEvent, kind: str) -> str:
    """Who did it, in a word: the department, the enterprise or the person."""
    petition = event.petition
    if kind == "petition-returned":
        return event.data.get("returned_by", "")
    if kind in ("petition-unsatisfied", "petition-addition"):
        return petition.enterprise.name
    if (
        kind in ("petition-replied", "petition-extension-asked")
        and petition.department_id
    ):
        return petition.department.name
    return event.actor.get_full_name() if event.actor_id else ""


def _to_handlers(kind: str, event: PetitionEvent) -> list[outbox.Notice]:
    """The notice `kind` of `event`, to each handler who wants each event at once (not
    to whoever did it); those who chose the digest read it there the next morning."""
    petition = event.petition
    context = {
        "petition": petition,
        "event": event,
        "who": _who(event, kind),
        "path": reverse("petitions:staff_detail", args=[petition.pk]),
    }
    return [
        outbox.Notice(f"{kind}:{event.pk}:{user.pk}", kind, user, context)
        for user in _handlers()
        if not user.petition_digest and user.pk != event.actor_id
    ]


def department_replied(event_id: int) -> None:
    """A department replied: the handlers review it before the enterprise reads it."""
    outbox.queue_all(_to_handlers("petition-replied", _event(event_id)))


def returned(event_id: int) -> None:
    """A department returned a petition as not its duty, with its basis: to dispatch again."""
    outbox.queue_all(_to_handlers("petition-returned", _event(event_id)))


def from_duty_log(petition_id: int) -> None:
    """The representative on duty registered a visitor's appeal as a petition: to triage."""
    event = (
        PetitionEvent.objects.select_related(
            "actor", "petition", "petition__enterprise", "petition__department"
        )
        .filter(petition_id=petition_id)
        .earliest("created_at", "pk")
    )
    outbox.queue_all(_to_handlers("petition-from-duty-log", event))


def rated_unsatisfied(event_id: int) -> None:
    """The enterprise rated the answer unsatisfied, with what is still unresolved."""
    outbox.queue_all(_to_handlers("petition-unsatisfied", _event(event_id)))


def digest_period(on: date) -> tuple[date, date]:
    """The days the digest of working day `on` covers: from the working day before up
    to the day before `on` (a Monday's holds Friday and the weekend)."""
    return workdays.last_working_day_before(on), on - timedelta(days=1)


def staff_digest(on: date) -> list:
    """On working day `on`, one message to each handler who chose the daily digest,
    listing the events of `digest_period` (those they did themselves left out); none
    to a handler with nothing to read, and none on a day off. Once per day and person."""
    if not workdays.is_working_day(on):
        return []
    readers = [u for u in _handlers() if u.petition_digest]
    if not readers:
        return []
    first, last = digest_period(on)
    events = list(
        PetitionEvent.objects.filter(
            staff_events_q(),
            created_at__gte=workdays.start_of_day(first),
            created_at__lt=workdays.start_of_day(on),
        )
        .select_related(
            "actor", "petition", "petition__enterprise", "petition__department"
        )
        .order_by("created_at", "pk")
    )
    items = []
    for event in events:
        kind = _staff_kind(event)
        items.append(
            {
                "event": event,
                "petition": event.petition,
                "who": _who(event, kind),
                "what": STAFF_EVENTS[kind],
                "path": reverse("petitions:staff_detail", args=[event.petition_id]),
            }
        )
    notices = []
    for user in readers:
        theirs = [i for i in items if i["event"].actor_id != user.pk]
        if theirs:
            notices.append(
                outbox.Notice(
                    f"petition-staff-digest:{on}:{user.pk}",
                    "petition-staff-digest",
                    user,
                    {
                        "items": theirs,
                        "first": first,
                        "last": last,
                        "path": reverse("petitions:triage"),
                    },
                )
            )
    return outbox.queue_all(notices)


# --- to the enterprise: its petition's progress ---------------------------------------


def _member_context(petition: Petition) -> dict:
    """The petition's page, and the profile where the member chooses these e-mails."""
    return {
        "petition": petition,
        "path": petition.get_absolute_url(),
        "profile_path": reverse("members:profile"),
    }


def accepted(event_id: int) -> None:
    """The chamber accepted the petition (its first triage; a change of triage, or the
    triage after a department returned it, is not news to the enterprise)."""
    event = _event(event_id)
    if event.from_status != Petition.Status.SUBMITTED:
        return
    petition = event.petition
    outbox.queue_all(
        outbox.Notice(
            f"petition-accepted:{petition.pk}:{member.user_id}",
            "petition-accepted",
            member.user,
            _member_context(petition),
        )
        for member in _members_told(petition, "notify_accepted")
    )


def sent_to_department(petition: Petition, event_id: int) -> list[outbox.Notice]:
    """The petition went to a department, due on a date: the department's name and the
    date, never the chamber's note to it (queued with the officials', `dispatched`)."""
    return [
        outbox.Notice(
            f"petition-sent-to-department:{event_id}:{member.user_id}",
            "petition-sent-to-department",
            member.user,
            _member_context(petition),
        )
        for member in _members_told(petition, "notify_dispatched")
    ]


def _event_to_members(kind: str, event: PetitionEvent, choice: str) -> None:
    """The notice `kind` of `event` to the members told of its petition (`choice`: the
    profile's switch; empty: whatever it says)."""
    petition = event.petition
    outbox.queue_all(
        outbox.Notice(
            f"{kind}:{event.pk}:{member.user_id}",
            kind,
            member.user,
            {**_member_context(petition), "event": event},
        )
        for member in _members_told(petition, choice)
    )


def _event_to_officials(
    kind: str, event: PetitionEvent, department_id: int, **context
) -> None:
    """The notice `kind` of `event` to a department's officials, liaison first."""
    petition = event.petition
    path = reverse("petitions:department_detail", args=[petition.pk])
    outbox.queue_all(
        outbox.Notice(
            f"{kind}:{event.pk}:{user.pk}",
            kind,
            user,
            {"petition": petition, "event": event, "path": path, **context},
        )
        for user in _department_officials(department_id)
    )


def progress(event_id: int) -> None:
    """A department's progress note shown to the enterprise (is_public); nothing else."""
    event = _event(event_id)
    if not event.is_public or event.kind != PetitionEvent.Kind.PROGRESS:
        return
    _event_to_members("petition-progress", event, "notify_progress")


def info_requested(event_id: int) -> None:
    """The department asks the enterprise for something (待企业补充): to the member who
    submitted the petition (or the enterprise's members) whatever their profile says,
    since the petition waits for their answer."""
    _event_to_members("petition-info-requested", _event(event_id), "")


def info_answered(event_id: int) -> None:
    """The enterprise answered the request (or staff closed it unanswered): the
    department's officials take the petition up again, with its new due date."""
    event = _event(event_id)
    if event.petition.department_id is not None:
        _event_to_officials(
            "petition-info-answered", event, event.petition.department_id
        )


def added(event_id: int) -> None:
    """The enterprise added to its petition instead of raising the matter again: to the
    department's officials while the department holds it, else to the handlers (at
    once, or in the morning digest, as each chose)."""
    event = _event(event_id)
    department_id = event.data.get("department_id")
    if event.data.get("holder") == "department" and department_id:
        _event_to_officials(
            "petition-addition",
            event,
            department_id,
            who=event.petition.enterprise.name,
        )
    else:
        outbox.queue_all(_to_handlers("petition-addition", event))


def extension_asked(event_id: int) -> None:
    """A department asks for an extension (延期): the handlers decide on it."""
    outbox.queue_all(_to_handlers("petition-extension-asked", _event(event_id)))


def extension_decided(event_id: int) -> None:
    """Staff approved or refused an extension: to the department's officials."""
    event = _event(event_id)
    department_id = event.data.get("department_id")
    if department_id:
        _event_to_officials("petition-extension-decided", event, department_id)


def due_next_working_day(run: ReviewRun) -> None:
    """Remind each department of its petitions due on the next working day (once a day)."""
    pks = run.report.get("due_next_working_day", [])
    by_department: dict[int, list[Petition]] = {}
    for p in selectors.petitions_by_pk(pks):
        if p.department_id and p.status in Petition.WITH_DEPARTMENT:
            by_department.setdefault(p.department_id, []).append(p)
    if not by_department:
        return
    officials = _officials_of(by_department)
    path = reverse("petitions:department_queue")
    due_on = run.report.get("next_working_day")
    outbox.queue_all(
        outbox.Notice(
            f"petition-due:{run.period_start}:{o.department_id}:{o.user_id}",
            "petition-due",
            o.user,
            {
                "petitions": by_department[o.department_id],
                "due_on": due_on,
                "path": path,
            },
        )
        for o in officials
    )


def overdue(run: ReviewRun) -> None:
    """Tell each department's officials (liaison first) of its petitions the daily study
    put under supervision (超期督办) for being overdue; once per petition, supervision day
    and official. Two queries, whatever the number of petitions, then one queue_all."""
    by_department: dict[int, list[Petition]] = {}
    for p in selectors.petitions_by_pk(run.report.get("newly_supervised", [])):
        if p.department_id and p.supervised_on:
            by_department.setdefault(p.department_id, []).append(p)
    if not by_department:
        return
    officials = _officials_of(by_department)
    outbox.queue_all(
        outbox.Notice(
            f"petition-overdue:{p.pk}:{p.supervised_on}:{o.user_id}",
            "petition-overdue",
            o.user,
            {
                "petition": p,
                "path": reverse("petitions:department_detail", args=[p.pk]),
            },
        )
        for o in officials
        for p in by_department[o.department_id]
    )


def review_step(run: ReviewRun) -> None:
    """What a review step found: to staff always, to the leaders when something was escalated."""
    context = {"run": run, "path": run.get_absolute_url()}
    recipients = _staff()
    if run.kind == ReviewRun.Kind.DAILY:
        context["intake"] = selectors.petitions_by_pk(run.report.get("intake", []))
        context["untriaged"] = selectors.petitions_by_pk(
            run.report.get("untriaged", [])
        )
        context["supervised"] = selectors.petitions_by_pk(
            run.report.get("newly_supervised", [])
        )
    elif run.kind == ReviewRun.Kind.QUARTER_WARNING:
        context["uncleared"] = selectors.petitions_by_pk(
            run.report.get("uncleared", [])
        )
    else:
        context["escalations"] = list(
            Escalation.objects.filter(run=run)
            .select_related("petition", "petition__enterprise", "department")
            .order_by("department__sort_order", "petition__created_at")
        )
        if context["escalations"]:
            leaders = [u for u in _leaders() if u.email]
            known = {u.pk for u in recipients}
            recipients += [u for u in leaders if u.pk not in known]
            context["path"] = reverse("petitions:escalations")
    outbox.queue_all(
        outbox.Notice(
            f"petition-review:{run.pk}:{user.pk}", "petition-review", user, context
        )
        for user in recipients
    )


def period_report(run: ReviewRun) -> None:
    """月总结 / 季清零 reach their readers: leaders and staff get the figures and a link to
    the full report, each department's officials their own line of it."""
    report = run.report
    readers = {u.pk: u for u in [*_staff(), *_leaders()]}
    context = {
        "run": run,
        "totals": report.get("totals", {}),
        "departments": report.get("departments", []),
        "uncleared": report.get("uncleared", []),
        "path": run.get_absolute_url(),
    }
    notices = [
        outbox.Notice(
            f"petition-period-report:{run.pk}:{user.pk}",
            "petition-period-report",
            user,
            context,
        )
        for user in readers.values()
    ]
    rows = {row["id"]: row for row in report.get("departments", [])}
    officials = (
        Official.objects.filter(
            department_id__in=rows, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("-is_liaison", "user__full_name")
    )
    path = reverse("petitions:department_queue")
    notices += [
        outbox.Notice(
            f"petition-department-report:{run.pk}:{o.user_id}",
            "petition-department-report",
            o.user,
            {"run": run, "row": rows[o.department_id], "path": path},
        )
        for o in officials
    ]
    outbox.queue_all(notices)
