"""超期督办: the daily study tells a department's officials of each petition it puts under
supervision for being overdue (issue 19), once per petition and supervision day, in
their language (Chinese by default), with the link to the petition; the liaison first.

The dates are those of test_review_cycle.py: Monday 9 March 2026 is a working day.
"""

from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chamber import workdays
from chamber.models import OutgoingMessage
from petitions import review, services
from petitions.models import Petition
from tests.factories import DepartmentFactory, OfficialFactory
from tests.support.review_cycle import (
    MONDAY,
    TUESDAY,
    assert_email_contains,
    at,
    at_department,
    dispatched,
    received_batch,
    statements,
)

FRIDAY = date(2026, 3, 6)  # due that day: overdue on Monday


def told(mailoutbox, user) -> list:
    """The overdue notices (by their Chinese subject) e-mailed to `user`."""
    return [
        m
        for m in mailoutbox
        if m.to == [user.email] and "已超期，列入督办" in m.subject
    ]


@pytest.fixture
def department(db):
    return DepartmentFactory(name="西市区住建局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="西市区市场监管局")


def test_the_daily_study_tells_each_official_of_a_newly_supervised_petition_once(
    staff, department, other_department, django_capture_on_commit_callbacks, mailoutbox
):
    colleague = OfficialFactory(department=department, user__full_name="赵王").user
    liaison = OfficialFactory(
        department=department, is_liaison=True, user__full_name="阿联络"
    ).user
    gone = OfficialFactory(department=department, is_active=False).user
    elsewhere = OfficialFactory(department=other_department).user
    late = dispatched(staff, department, due_on=FRIDAY, title="厂区道路维修")
    on_time = dispatched(staff, department, due_on=MONDAY)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)

    link = settings.SITE_URL + reverse("petitions:department_detail", args=[late.pk])
    for official in (liaison, colleague):
        (mail,) = told(mailoutbox, official)
        assert mail.subject == f"诉求 {late.number} 已超期，列入督办"
        assert_email_contains(
            mail,
            f"诉求 {late.number}“厂区道路维修”已超过答复期限（2026-03-06）",
            "商会已将其列入督办，请尽快答复。",
            link,
        )
        assert on_time.number not in mail.body
    assert told(mailoutbox, gone) == []
    assert told(mailoutbox, elsewhere) == []
    # The liaison's notice is written first, whatever the names' order.
    assert [
        m.user_id
        for m in OutgoingMessage.objects.filter(kind="petition-overdue").order_by("pk")
    ] == [liaison.pk, colleague.pk]


def test_a_petition_already_supervised_is_not_told_again_the_next_day(
    staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    liaison = OfficialFactory(department=department, is_liaison=True).user
    late = dispatched(staff, department, due_on=FRIDAY)
    due_monday = dispatched(staff, department, due_on=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=TUESDAY)

    first, second = told(mailoutbox, liaison)
    assert late.number in first.subject
    # Due on Monday, overdue from Tuesday: its own notice, the day it is supervised.
    assert due_monday.number in second.subject
    assert OutgoingMessage.objects.filter(kind="petition-overdue").count() == 2


def test_a_petition_late_again_after_a_new_dispatch_is_told_again(
    staff, department, other_department, django_capture_on_commit_callbacks, mailoutbox
):
    first_liaison = OfficialFactory(department=department, is_liaison=True).user
    second_liaison = OfficialFactory(department=other_department, is_liaison=True).user
    petition = dispatched(staff, department, due_on=FRIDAY)
    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)
    services.return_petition(
        petition=petition, actor=staff, basis="应由市场监管局办理。", now=at(TUESDAY, 9)
    )
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(TUESDAY, 10),
    )
    petition = services.dispatch_petition(
        petition=petition, department=other_department, actor=staff, now=at(TUESDAY, 11)
    )
    late = workdays.add_working_days(petition.due_on, 1)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=late)

    assert len(told(mailoutbox, first_liaison)) == 1
    (mail,) = told(mailoutbox, second_liaison)
    assert_email_contains(mail, petition.due_on.isoformat())


def test_an_official_who_reads_english_is_told_in_english(
    staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    official = OfficialFactory(department=department, user__language="en").user
    late = dispatched(staff, department, due_on=FRIDAY)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)

    (mail,) = [m for m in mailoutbox if m.to == [official.email]]
    assert (
        mail.subject == f"Petition {late.number} is overdue and now under supervision"
    )
    assert_email_contains(mail, "The chamber now supervises it")


# --- constant queries, officials and all ------------------------------------------------


def _overdue_data(n: int) -> None:
    """n petitions overdue on Monday and n due on Tuesday, over three departments, each
    with a liaison reached by SMS and WeChat too and a colleague by e-mail only."""
    departments = DepartmentFactory.create_batch(3)
    for i, department in enumerate(departments):
        OfficialFactory(
            department=department,
            is_liaison=True,
            user__mobile=f"1380000000{i}",
            user__mobile_verified_at=timezone.now(),
            user__wecom_userid=f"liaison{i}",
        )
        OfficialFactory(department=department)
    at_department(
        received_batch(n, date(2026, 2, 20)), departments, due_on=date(2026, 3, 5)
    )
    at_department(received_batch(n, date(2026, 2, 24)), departments, due_on=TUESDAY)


def _queries(n: int) -> int:
    """Statements of one daily study over n overdue petitions; rolled back after."""
    with transaction.atomic():
        _overdue_data(n)
        workdays.is_working_day(MONDAY)  # the calendar overrides are cached: read first
        with CaptureQueriesContext(connection) as queries:
            (run,) = review.run_step("daily", on=MONDAY)
        assert run.stats["newly_supervised"] == n
        notices = OutgoingMessage.objects.filter(kind="petition-overdue")
        # Two officials of each petition's department; the liaison by three channels.
        assert notices.filter(channel="email").count() == 2 * n
        assert notices.filter(channel="sms").count() == n
        assert notices.filter(channel="wechat").count() == n
        transaction.set_rollback(True)
    return len(statements(queries.captured_queries))


def test_the_daily_study_tells_300_overdue_petitions_in_as_many_queries_as_10(db):
    assert _queries(10) == _queries(300)
