"""Petitions on known days of 2026 for the review cycle's tests (petitions/review.py)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from chamber import workdays
from petitions import services
from petitions.models import Petition
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    PetitionFactory,
)

S = Petition.Status
MONDAY = date(2026, 3, 9)  # the working day before it is Friday 6 March
TUESDAY = date(2026, 3, 10)
WEEK = date(2026, 3, 23)  # a Monday
# The first day of Q2: the clear-to-zero of Q1 (1 January – 31 March).
QUARTER_START = date(2026, 4, 1)
WARNING_DAY = date(2026, 3, 18)  # 14 days before 31 March, counting both
LIMIT = 10  # CategoryFactory's time limit in working days


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def received(day: date, hour: int = 9, minute: int = 0, **kwargs) -> Petition:
    """A petition submitted on `day` at `hour`, not yet triaged."""
    return PetitionFactory(created_at=at(day, hour, minute), **kwargs)


def dispatched(
    staff, department, *, due_on: date, sign: bool = False, **kwargs
) -> Petition:
    """A petition triaged and dispatched so that it falls due on `due_on`."""
    start = workdays.nth_working_day_before(due_on, LIMIT)
    petition = received(start, 8, **kwargs)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(start, 9),
    )
    petition = services.dispatch_petition(
        petition=petition, department=department, actor=staff, now=at(start, 10)
    )
    if sign:
        petition = services.sign_petition(
            petition=petition, actor=staff, now=at(start, 11)
        )
    assert petition.due_on == due_on
    return petition


def replied(staff, *, answered_on: date, **kwargs) -> Petition:
    """A petition the chamber answered itself on `answered_on` at 10:00, not rated yet."""
    petition = received(answered_on, 8, **kwargs)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.CHAMBER,
        now=at(answered_on, 9),
    )
    return services.answer_petition(
        petition=petition,
        actor=staff,
        answer="已协调相关部门解决。",
        outcome=Petition.Outcome.RESOLVED,
        now=at(answered_on, 10),
    )


def closed(staff, *, answered_on: date, **kwargs) -> Petition:
    petition = replied(staff, answered_on=answered_on, **kwargs)
    return services.rate_petition(
        solved="solved",
        petition=petition,
        rating=Petition.Rating.SATISFIED,
        actor=None,
        now=at(answered_on, 15),
    )


def assert_email_contains(message, *texts: str) -> None:
    """Each text is in the plain body and in the HTML part."""
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in texts:
        assert text in message.body, text
        assert text in html, text


def received_batch(n: int, day: date, **kwargs) -> list[int]:
    """n petitions received on `day`, of one enterprise and category; their pks."""
    enterprise = kwargs.pop("enterprise", None) or EnterpriseFactory()
    category = kwargs.pop("category", None) or CategoryFactory()
    return [
        p.pk
        for p in PetitionFactory.create_batch(
            n,
            enterprise=enterprise,
            category=category,
            created_at=at(day, 10),
            **kwargs,
        )
    ]


def at_department(
    pks: list[int], departments, *, due_on: date, status=S.IN_PROGRESS
) -> None:
    """Put petitions with departments (round robin) as a dispatch would leave them."""
    for i, department in enumerate(departments):
        Petition.objects.filter(pk__in=pks[i :: len(departments)]).update(
            status=status,
            department=department,
            due_on=due_on,
            handling=Petition.Handling.DEPARTMENT,
            dispatched_at=at(due_on - timedelta(days=14)),
        )


def statements(queries) -> list[str]:
    """The SQL statements sent, one per bulk_create.

    SQLite takes at most 999 parameters in a statement, so Django splits a bulk_create
    of a few hundred rows into consecutive INSERTs into the same table; those count as
    the one set-based statement they are (PostgreSQL gets a single INSERT anyway).
    """
    statements: list[str] = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("INSERT INTO") and statements:
            table = sql.split(" (", 1)[0]
            if statements[-1].split(" (", 1)[0] == table:
                continue
        statements.append(sql)
    return statements
