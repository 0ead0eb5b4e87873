"""The petitions app's e-mails, one function per kind (STYLE B8); each notice is sent once.

The dispatch notice and the answer are queued in the outbox by the workflow's own
transaction (`dispatched`, `answered`): if the change commits, its messages exist, and a
broker that is down only delays them (chamber/outbox.py). The review step's notices are
written by the step that finds them, in its transaction too.
"""

from django.urls import reverse

from chamber import outbox
from chamber.models import Official, User
from members.models import Member
from petitions import selectors
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun
from petitions.tokens import rating_token


def _department_officials(department_id: int) -> list[User]:
    """The liaison first, then the department's other active officials."""
    officials = (
        Official.objects.filter(
            department_id=department_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("-is_liaison", "user__full_name")
    )
    return [o.user for o in officials]


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email=""))


def _leaders() -> list[User]:
    return [
        o.user
        for o in Official.objects.filter(
            is_leader=True, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def dispatched(petition_id: int) -> None:
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
    outbox.queue_all(
        outbox.Notice(
            f"petition-dispatched:{petition.pk}:{petition.due_on}:{user.pk}",
            "petition-dispatched",
            user,
            {"petition": petition, "path": path},
        )
        for user in _department_officials(petition.department_id)
    )


def answered(petition_id: int, answer_round: int) -> None:
    petition = Petition.objects.select_related("enterprise").get(pk=petition_id)
    if petition.answer_round != answer_round:
        return  # a later answer replaced this one
    members = Member.objects.filter(
        enterprise_id=petition.enterprise_id, user__is_active=True
    )
    if petition.submitted_by_id:
        # The member who submitted it; otherwise every member of the enterprise.
        mine = members.filter(user_id=petition.submitted_by_id)
        if mine.exists():
            members = mine
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
        for member in members.select_related("user")
    )


def instruction(event_id: int) -> None:
    """A district leader's instruction (批示), at once to the department's liaison and
    its other active officials; nothing while no department can see the petition."""
    event = PetitionEvent.objects.select_related(
        "actor", "petition", "petition__department"
    ).get(pk=event_id)
    petition = event.petition
    if petition.department_id is None or petition.dispatched_at is None:
        return
    path = reverse("petitions:department_detail", args=[petition.pk])
    outbox.queue_all(
        outbox.Notice(
            f"petition-instruction:{event.pk}:{user.pk}",
            "petition-instruction",
            user,
            {"petition": petition, "instruction": event, "path": path},
        )
        for user in _department_officials(petition.department_id)
    )


def due_next_working_day(run: ReviewRun) -> None:
    """Remind each department of its petitions due on the next working day (once a day)."""
    pks = run.report.get("due_next_working_day", [])
    by_department: dict[int, list[Petition]] = {}
    for p in selectors.petitions_by_pk(pks):
        if p.department_id and p.status in Petition.WITH_DEPARTMENT:
            by_department.setdefault(p.department_id, []).append(p)
    if not by_department:
        return
    officials = (
        Official.objects.filter(
            department_id__in=by_department, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("-is_liaison", "user__full_name")
    )
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
