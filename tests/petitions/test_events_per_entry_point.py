"""DI-3: every change of a petition's status writes exactly one status event, whatever
the way in: the staff's page, the department's page, the member's page, the signed
rating link, the `run_cycle` command and the review step's Celery task.

Each case takes a petition to the step's starting state through the services, makes the
change through its entry point, and compares the events before and after: one new status
event, from the old status to the new, with the acting user (or none for the system) and
an aware time; no other event of any petition changed.
"""

from datetime import date

from django.core.management import call_command
from django.urls import reverse

from petitions import services, tasks
from petitions.models import Petition, PetitionEvent
from tests.support.member_pages import answered, link_for
from tests.support.review_cycle import replied
from tests.support.staff_pages import accepted, category

S = Petition.Status
STUDY = date(2026, 3, 16)  # a Monday; a reply of 6 March is then unrated too long


def _status_events() -> list[tuple]:
    return list(
        PetitionEvent.objects.filter(kind=PetitionEvent.Kind.STATUS)
        .order_by("pk")
        .values_list("pk", "petition_id", "from_status", "to_status", "actor_id")
    )


def _one_new_event(before: list[tuple], petition: Petition, to: str, actor) -> None:
    after = _status_events()
    assert after[: len(before)] == before  # nothing earlier was touched
    new = after[len(before) :]
    assert [(p, t) for _pk, p, _f, t, _a in new] == [(petition.pk, to)]
    event = PetitionEvent.objects.get(pk=new[0][0])
    assert event.actor_id == (actor.pk if actor is not None else None)
    assert event.created_at.tzinfo is not None
    petition.refresh_from_db()
    assert petition.status == to
    assert event.from_status != to


def test_the_staff_page_triage(client, staff):
    from tests.factories import PetitionFactory

    petition = PetitionFactory()
    before = _status_events()
    client.force_login(staff)

    response = client.post(
        reverse("petitions:staff_action", args=[petition.pk, "accept"]),
        {
            "category": category().pk,
            "priority": "normal",
            "handling": "department",
        },
    )

    assert response.status_code == 302
    _one_new_event(before, petition, S.ACCEPTED, staff)


def test_the_staff_page_dispatch(client, staff, official):
    petition = accepted(staff)
    before = _status_events()
    client.force_login(staff)

    client.post(
        reverse("petitions:staff_action", args=[petition.pk, "dispatch"]),
        {"department": official.department.pk},
    )

    _one_new_event(before, petition, S.DISPATCHED, staff)


def test_the_department_page_signing(client, staff, official):
    petition = services.dispatch_petition(
        petition=accepted(staff), department=official.department, actor=staff
    )
    before = _status_events()
    client.force_login(official.user)

    client.post(reverse("petitions:department_action", args=[petition.pk, "sign"]))

    _one_new_event(before, petition, S.IN_PROGRESS, official.user)


def test_the_members_page_rating(client, alice, staff, official):
    petition = answered(alice, staff, official)
    before = _status_events()
    client.force_login(alice.user)

    client.post(
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "solved", "rating": "satisfied"},
    )

    _one_new_event(before, petition, S.CLOSED, alice.user)


def test_the_signed_rating_link(client, alice, staff, official):
    petition = answered(alice, staff, official)
    before = _status_events()

    client.post(link_for(petition, alice), {"solved": "solved", "rating": "satisfied"})

    _one_new_event(before, petition, S.CLOSED, alice.user)


def test_the_run_cycle_command(staff):
    petition = replied(staff, answered_on=date(2026, 3, 6))
    before = _status_events()

    call_command("run_cycle", "daily", "--date", STUDY.isoformat(), verbosity=0)

    _one_new_event(before, petition, S.CLOSED, None)


def test_the_review_steps_celery_task(staff):
    petition = replied(staff, answered_on=date(2026, 3, 6))
    before = _status_events()

    tasks.run_daily_study.apply(args=[STUDY.isoformat()]).get()

    _one_new_event(before, petition, S.CLOSED, None)


def test_running_the_step_again_writes_no_second_event(staff):
    petition = replied(staff, answered_on=date(2026, 3, 6))
    before = _status_events()

    for _ in range(2):
        call_command("run_cycle", "daily", "--date", STUDY.isoformat(), verbosity=0)

    _one_new_event(before, petition, S.CLOSED, None)
