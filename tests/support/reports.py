"""March 2026 of the monthly report, every figure known (tests/petitions/test_reports.py),
and the helpers that play it through the services."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from petitions import review, services
from petitions.models import Category, Petition
from tests.factories import DepartmentFactory, PetitionFactory

O = Petition.Outcome  # noqa: E741 - not an ambiguous name here
R = Petition.Rating


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def received(
    day: date, *, code: str, channel: str = "online", hour: int = 9
) -> Petition:
    return PetitionFactory(
        created_at=at(day, hour),
        category=Category.objects.get(code=code),
        channel=channel,
    )


def dispatch(petition: Petition, staff, department, day: date) -> Petition:
    """Triage, dispatch and sign for it the same day."""
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(day, 10),
    )
    services.dispatch_petition(
        petition=petition, department=department, actor=staff, now=at(day, 10, 30)
    )
    return services.sign_petition(petition=petition, actor=staff, now=at(day, 11))


def answer(petition: Petition, staff, day: date, outcome: str) -> Petition:
    """The department replies at 9:00; staff send the answer on at 10:00."""
    services.record_department_reply(
        petition=petition,
        actor=staff,
        outcome=outcome,
        reply="办理情况如下。",
        follow_up_plan="" if outcome == O.RESOLVED else "下月底前继续跟进。",
        now=at(day, 9),
    )
    return services.answer_petition(
        petition=petition, actor=staff, answer="答复如下。", now=at(day, 10)
    )


def rate(
    petition: Petition, rating: str, day: date, solved: str = "solved"
) -> Petition:
    unsolved = rating == R.UNSATISFIED or solved == Petition.Solved.UNSOLVED
    return services.rate_petition(
        petition=petition,
        solved=solved,
        rating=rating,
        comment="仍未解决。" if unsolved else "",
        actor=None,
        now=at(day, 15),
    )


def handled(staff, department, *, received_on, answered_on, outcome, code="financing",
            channel="online", rating=None, rated_on=None, solved="solved",
            ) -> Petition:  # fmt: skip
    petition = dispatch(
        received(received_on, code=code, channel=channel),
        staff,
        department,
        received_on,
    )
    petition = answer(petition, staff, answered_on, outcome)
    if rating:
        petition = rate(petition, rating, rated_on, solved)
    return petition


@pytest.fixture
def departments(db):
    return {
        "甲": DepartmentFactory(name="甲局", sort_order=1),
        "乙": DepartmentFactory(name="乙局", sort_order=2),
        "丙": DepartmentFactory(name="丙局", sort_order=3),
    }


@pytest.fixture
def march(staff, departments):
    """The month in the module docstring; returns the petitions by name."""
    a, b, c = departments["甲"], departments["乙"], departments["丙"]
    p = {
        "A1": handled(staff, a, received_on=date(2026, 3, 2), answered_on=date(2026, 3, 5),
                      outcome=O.RESOLVED, rating=R.SATISFIED, rated_on=date(2026, 3, 6)),
        "A2": handled(staff, a, received_on=date(2026, 3, 2), answered_on=date(2026, 3, 9),
                      outcome=O.RESOLVED, rating=R.BASICALLY, rated_on=date(2026, 3, 10),
                      solved="partly"),
        "A3": handled(staff, a, received_on=date(2026, 3, 3), answered_on=date(2026, 3, 10),
                      outcome=O.PARTLY, rating=R.UNSATISFIED, rated_on=date(2026, 3, 11),
                      solved="unsolved"),
        "A4": handled(staff, a, received_on=date(2026, 3, 3), answered_on=date(2026, 3, 24),
                      outcome=O.EXPLAINED, channel="phone",
                      rating=R.BASICALLY, rated_on=date(2026, 4, 2)),
        "B1": handled(staff, b, received_on=date(2026, 3, 4), answered_on=date(2026, 3, 6),
                      outcome=O.RESOLVED, code="market",
                      rating=R.SATISFIED, rated_on=date(2026, 3, 9)),
        "B2": handled(staff, b, received_on=date(2026, 3, 4), answered_on=date(2026, 3, 20),
                      outcome=O.RESOLVED, code="market",
                      rating=R.SATISFIED, rated_on=date(2026, 3, 23)),
    }  # fmt: skip
    assert (p["A4"].due_on, p["B2"].due_on) == (date(2026, 3, 17), date(2026, 3, 18))

    b3 = dispatch(received(date(2026, 3, 5), code="approvals", channel="reception_hall"),
                  staff, b, date(2026, 3, 5))  # fmt: skip
    b3 = services.return_petition(
        petition=b3, actor=staff, basis="属于丙局职责。", now=at(date(2026, 3, 6), 14)
    )
    b3 = dispatch(b3, staff, c, date(2026, 3, 9))
    b3 = answer(b3, staff, date(2026, 3, 11), O.RESOLVED)
    p["B3"] = rate(b3, R.SATISFIED, date(2026, 3, 12))

    h1 = received(date(2026, 3, 6), code="approvals", channel="phone")
    services.accept_petition(
        petition=h1,
        actor=staff,
        category=h1.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.CHAMBER,
        now=at(date(2026, 3, 6), 10),
    )
    p["H1"] = services.answer_petition(
        petition=h1, actor=staff, answer="已当面答复。", outcome=O.RESOLVED,
        now=at(date(2026, 3, 6), 11),
    )  # fmt: skip
    with time_machine.travel(at(date(2026, 3, 16), 8, 30), tick=False):
        study = review.run_daily_study(on=date(2026, 3, 16))
    assert study.report["closed_without_rating"] == [h1.pk]

    p["S1"] = received(date(2026, 3, 30), code="approvals", channel="duty_studio")
    received(date(2026, 2, 27), code="approvals")  # February's
    received(date(2026, 4, 1), code="approvals", hour=0)  # April's
    return p
