"""月总结 and 季清零 reach their readers (issue 18, item 6).

When the step runs, leaders and staff get the period's figures (the 三率 with the counts
behind them) and a link to the full report; each department's officials get their own
line of it. Written to the outbox in the step's transaction, once however often it runs.
"""

from datetime import date

import pytest

from chamber.models import OutgoingMessage
from petitions import review
from petitions.models import ReviewRun
from tests.factories import DepartmentFactory, LeaderFactory, OfficialFactory
from tests.support.mail import mails_to
from tests.support.review_cycle import (
    QUARTER_START,
    assert_email_contains,
    closed,
    dispatched,
)

APRIL = date(2026, 4, 1)  # the monthly summary of March runs on 1 April


@pytest.fixture
def department(db):
    return DepartmentFactory(name="西市区住建局")


@pytest.fixture
def march(staff, department):
    """March: one petition answered by the chamber and rated satisfied, one at the
    department, overdue."""
    closed(staff, answered_on=date(2026, 3, 10))
    return dispatched(staff, department, due_on=date(2026, 3, 16), sign=True)


def test_the_monthly_summary_sends_leaders_and_staff_the_figures_and_the_report_link(
    march, staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    leader = LeaderFactory().user

    with django_capture_on_commit_callbacks(execute=True):
        run = review.run_monthly_summary(on=APRIL)

    totals = run.report["totals"]
    for reader in (leader, staff):
        (mail,) = mails_to(mailoutbox, reader)
        assert mail.subject == "月总结：2026-03-01至2026-03-31的数据"
        assert_email_contains(
            mail,
            f"{totals['response_rate']}%",
            f"（{totals['answered_on_time']}/{totals['answered']}）",
            f"（{totals['satisfied'] + totals['basically']}/{totals['rated']}）",
            f"/petitions/reports/{run.pk}/",
        )


def test_each_department_gets_its_own_line_and_no_other(
    march, staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    liaison = OfficialFactory(department=department, is_liaison=True).user
    elsewhere = OfficialFactory().user  # a department with nothing this month

    with django_capture_on_commit_callbacks(execute=True):
        run = review.run_monthly_summary(on=APRIL)

    (row,) = [r for r in run.report["departments"] if r["id"] == department.pk]
    (mail,) = mails_to(mailoutbox, liaison)
    assert mail.subject == f"月总结：{department.name}的数据"
    assert_email_contains(
        mail,
        f"交办贵单位的诉求：{row['dispatched']}件",
        f"（{row['answered_on_time']}/{row['answered']}）",
        "/petitions/department/",
    )
    assert mails_to(mailoutbox, elsewhere) == []


def test_the_quarterly_clearance_says_how_many_were_not_cleared(
    march, staff, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        review.run_quarterly_clearance(on=QUARTER_START)

    (figures,) = [m for m in mails_to(mailoutbox, staff) if "数据" in m.subject]
    assert figures.subject == "季清零：2026-01-01至2026-03-31的数据"
    assert_email_contains(figures, "季末未清零：1件，已上报区领导。")


def test_a_step_run_twice_writes_its_reports_once(
    march, staff, department, django_capture_on_commit_callbacks
):
    OfficialFactory(department=department)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            review.run_monthly_summary(on=APRIL)

    assert ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY).count() == 1
    kinds = sorted(OutgoingMessage.objects.values_list("kind", flat=True))
    assert kinds == ["petition-department-report", "petition-period-report"]
