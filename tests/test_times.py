"""Every time the portal shows or exports is Beijing time (issue 16, item 2).

The database keeps UTC. A petition received at 07:30 in Yingkou is stored as 23:30 UTC
of the day before; the Excel sheets showed that, so it landed on the previous day.
Each export here is checked with such a moment, and report rates are numbers Excel
formats as percentages, not text.
"""

import ast
from datetime import UTC, date, datetime, time
from io import BytesIO
from pathlib import Path

import openpyxl
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from activities import services as activity_services
from chamber.emails import make_message
from chamber.times import beijing, beijing_date, beijing_minute, spreadsheet_cell
from groups.models import PointsEntry
from groups.resources import PointsEntryResource
from petitions import review, services, sheets
from petitions.models import IntakeBatch, Petition, PetitionEvent
from tests.factories import (
    ActivityFactory,
    DepartmentFactory,
    MemberFactory,
    PetitionFactory,
)
from tests.support.downloads import fetch

# 07:30 on 2 March 2026 in Yingkou: 23:30 UTC on 1 March.
EARLY = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
EARLY_LOCAL = datetime.fromisoformat("2026-03-02T07:30")  # as read on a wall clock
XLSX = "xlsx"


def book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(BytesIO(response.content))


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def test_the_helper_gives_beijing_time_whatever_zone_is_active():
    with timezone.override("UTC"):
        assert beijing(EARLY).replace(tzinfo=None) == EARLY_LOCAL
        assert beijing_date(EARLY) == date(2026, 3, 2)
        assert beijing_minute(EARLY) == "2026-03-02 07:30"
        assert spreadsheet_cell(EARLY) == EARLY_LOCAL
    assert beijing_minute(None) == "" and spreadsheet_cell(None) is None


# --- petitions ----------------------------------------------------------------------------


def test_the_petitions_excel_gives_the_beijing_time_and_day_of_receipt(client, staff):
    petition = PetitionFactory(created_at=EARLY, title="清晨来电：厂区停电")
    client.force_login(staff)

    sheet = book(
        fetch(
            client,
            reverse("petitions:staff_list"),
            {"format": XLSX},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    ).active

    heading = [c.value for c in sheet[1]]
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[0].value == petition.number]
    received = row[heading.index("收到时间")]
    assert received.value == EARLY_LOCAL  # not 2026-03-01 23:30
    assert received.number_format == sheets.MINUTE


def _monthly_run_with_one_answer(staff, petition: Petition):
    """March 2026: `petition` dispatched on 2 March and answered, resolved, on 3 March."""
    department = DepartmentFactory(name="区住建局")

    def at(day: int, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(date(2026, 3, day), time(hour)))

    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(2, 10),
    )
    services.dispatch_petition(
        petition=petition, department=department, actor=staff, now=at(2, 11)
    )
    services.sign_petition(petition=petition, actor=staff, now=at(2, 14))
    services.record_department_reply(
        petition=petition,
        actor=staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已协调恢复供电。",
        follow_up_plan="",
        now=at(3, 9),
    )
    services.answer_petition(
        petition=petition, actor=staff, answer="已恢复供电。", now=at(3, 10)
    )
    return review.run_monthly_summary(on=date(2026, 4, 1))


def test_report_rates_are_numbers_formatted_as_percentages(client, staff):
    petition = PetitionFactory(created_at=EARLY)
    run = _monthly_run_with_one_answer(staff, petition)
    client.force_login(staff)

    workbook = book(get(client, reverse("petitions:report_export", args=[run.pk])))

    figures = {
        row[0].value: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2)
    }
    response_rate = figures["响应率"]
    assert response_rate.value == 1  # 100%: a number, not the text "100.0%"
    assert response_rate.number_format == sheets.PERCENT
    departments = workbook.worksheets[2]
    heading = [c.value for c in departments[1]]
    (row,) = list(departments.iter_rows(min_row=2))
    for label in ("响应率", "部门自报解决率"):  # no rating yet: no enterprise's word
        cell = row[heading.index(label)]
        assert cell.value == 1 and cell.number_format == sheets.PERCENT


def test_the_uncleared_sheet_puts_an_early_petition_on_its_beijing_day(staff):
    petition = PetitionFactory(created_at=EARLY)
    run = review.run_monthly_summary(on=date(2026, 4, 1))

    with translation.override("zh-hans"):
        workbook = openpyxl.load_workbook(
            BytesIO(sheets.report_workbook(run, uncleared=[petition]))
        )

    left = workbook.worksheets[-1]
    heading = [c.value for c in left[1]]
    received = left[2][heading.index("收到时间")]
    assert received.value.date() == date(2026, 3, 2)


def test_a_petition_event_and_a_batch_read_in_beijing_time(client, staff):
    petition = PetitionFactory(created_at=EARLY)
    event = PetitionEvent.objects.get(petition=petition)
    batch = IntakeBatch.objects.create(
        key="early-batch", channel="opinion_form", created_by=staff, created_at=EARLY
    )

    with translation.override("zh-hans"):
        assert str(event).endswith("· 2026-03-02 07:30")
        assert str(batch).startswith("2026-03-02 ·")

    client.force_login(staff)
    page = get(client, reverse("admin:petitions_petitionevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert "2026-03-02 07:30" in page.content.decode()
    assert "2026-03-01 23:30" not in page.content.decode()


# --- activities, points, calendars and e-mail -------------------------------------------------


def test_the_attendance_sheet_gives_the_beijing_time_of_check_in(client, staff):
    activity = ActivityFactory(
        starts_at=EARLY, ends_at=EARLY.replace(hour=23, minute=59)
    )
    activity_services.check_in(
        activity=activity, member=MemberFactory(), actor=staff, now=EARLY
    )
    client.force_login(staff)

    sheet = book(
        client.get(reverse("activities:attendance_export", args=[activity.pk]))
    ).active

    assert sheet["D2"].value == EARLY_LOCAL


def test_the_admin_points_export_gives_the_beijing_time(client, staff):
    member = MemberFactory()
    PointsEntry.objects.create(
        member=member,
        year=2026,
        points=5,
        reason="清晨走访",
        source=PointsEntry.Source.MANUAL,
        created_at=EARLY,
    )
    client.force_login(staff)
    data = {"format": "0", "resource": "0"}  # the first format: XLSX
    for name in PointsEntryResource().get_export_order():
        data[f"pointsentryresource_{name}"] = "on"

    with translation.override("zh-hans"):
        response = client.post(reverse("admin:groups_pointsentry_export"), data)

    sheet = book(response).active
    values = [c.value for c in sheet[2]]
    assert EARLY_LOCAL in values or "2026-03-02 07:30" in values


def test_an_activity_calendar_gives_the_right_moment(client, db):
    activity = ActivityFactory(
        starts_at=EARLY, ends_at=EARLY.replace(hour=23, minute=59)
    )

    response = client.get(reverse("activities:activity_calendar", args=[activity.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == activity.starts_at
    # Either UTC (…Z) or Beijing time with its zone, described in the file.
    assert (
        "DTSTART;TZID=Asia/Shanghai:20260302T073000" in body
        and "TZID:Asia/Shanghai" in body
    ) or "DTSTART:20260301T233000Z" in body


def test_an_e_mail_gives_the_beijing_time(db):
    activity = ActivityFactory(starts_at=EARLY, place="西市区工商联会议室")
    member = MemberFactory()

    message = make_message(
        "activity-promoted",
        ["member@example.com"],
        {"recipient": member.user, "activity": activity, "path": "/"},
        "zh-hans",
    )

    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "2026-03-02 07:30" in body
        assert "23:30" not in body


# --- a lint: no stored moment formatted as it is (UTC) ------------------------------------------

APPS = ["chamber", "members", "groups", "activities", "petitions", "publicity"]


def raw_moment_formats(source: str) -> list[str]:
    """`f"{p.created_at:%Y-%m-%d}"` or `p.created_at.strftime(…)`: a stored moment (a
    field named *_at) printed in UTC. Wrap it in chamber.times.beijing() first."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("strftime", "date", "time", "isoformat")
        ):
            target = node.func.value
        else:
            continue
        name = getattr(target, "attr", None) or getattr(target, "id", None) or ""
        if name.endswith("_at"):
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_the_moment_lint_catches_utc_formatting_and_leaves_beijing_alone():
    assert raw_moment_formats('x = f"{p.created_at:%Y-%m-%d %H:%M}"')
    assert raw_moment_formats("x = p.created_at.strftime('%H:%M')")
    assert raw_moment_formats("x = entry.visited_at.date()")
    assert raw_moment_formats('x = f"{beijing(p.created_at):%H:%M}"') == []
    assert raw_moment_formats('x = f"{p.due_on:%Y-%m-%d}"') == []


def test_no_app_formats_a_stored_moment_in_utc():
    root = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(root)}:{hit}"
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in raw_moment_formats(path.read_text(encoding="utf-8"))
    ]

    assert found == []
