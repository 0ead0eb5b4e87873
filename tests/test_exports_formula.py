"""Formula injection in every export of the portal (CHECKS IN-2, issue 10).

Every spreadsheet the portal writes is listed in EXPORTS and fetched through its real
URL as staff: the admin's import-export for enterprises, members, group memberships
and the points ledger (XLSX and CSV), an activity's attendance list, the staff's
petition list, the monthly and quarterly reports, the leader's overview, and the
empty opinion-form sheet.
The user-written text that reaches them (names, titles, reasons, department and
category names, …) is seeded with every formula trigger; read back with openpyxl
and csv, each such cell starts with an apostrophe, no cell is a formula, and the
numbers (points, including a deduction of -5) stay numbers.

An activity's title and a petition's description and answer reach no export; the
activity calendar feeds are not spreadsheets. PostgreSQL cannot store NUL, so there
the NUL payload is left out and the last test shows the database refuses it.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from activities import services as activity_services
from chamber.exports import safe_cell
from groups.models import PointsEntry
from groups.resources import GroupMembershipResource, PointsEntryResource
from members.resources import EnterpriseResource, MemberResource
from petitions import review
from petitions import services as petition_services
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    CategoryFactory,
    DepartmentFactory,
    EnterpriseFactory,
    GroupMembershipFactory,
    IndustryFactory,
    MemberFactory,
    PetitionFactory,
    StaffFactory,
)
from tests.support.downloads import fetch as made_by_a_task
from tests.support.words import zh

PAYLOADS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\0=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
]
NUL = "\0=1"
# What a spreadsheet runs as a formula, NUL included (chamber.exports.FORMULA_TRIGGERS).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
DEDUCTION = -5
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_payloads() -> list[str]:
    """The payloads the database can hold: PostgreSQL refuses NUL in text."""
    if connection.vendor == "postgresql":
        return [p for p in PAYLOADS if p != NUL]
    return PAYLOADS


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def seeded(db):
    """Every user-written text field that reaches an export, once per payload."""
    today = timezone.localdate()
    last_month = _moment(review.month_bounds(today.replace(day=1) - timedelta(1))[0])
    last_quarter_first = review.quarter_bounds(
        review.quarter_bounds(today)[0] - timedelta(days=1)
    )[0]
    last_quarter = _moment(last_quarter_first + timedelta(days=20))
    recorder = StaffFactory(full_name="＠录入人")
    activity = ActivityFactory(starts_at=timezone.now() - timedelta(hours=1))
    group = ActivityGroupFactory(year=today.year)
    members = []
    for i, payload in enumerate(stored_payloads()):
        enterprise = EnterpriseFactory(
            name=payload,
            legal_representative=payload,
            address=payload,
            introduction=payload,
            industry=IndustryFactory(name=payload),
        )
        member = MemberFactory(
            enterprise=enterprise,
            user__full_name=payload,
            position=payload,
            mobile=f"1390000{i:04d}",
        )
        members.append(member)
        department = DepartmentFactory(name=payload)
        category = CategoryFactory(name=payload)
        for when in (last_month, last_quarter):
            petition = PetitionFactory(
                enterprise=enterprise,
                title=payload,
                description=payload,
                category=category,
                created_at=when,
            )
            petition_services.accept_petition(
                petition=petition,
                actor=recorder,
                category=category,
                priority="normal",
                handling="department",
                now=when,
            )
            petition_services.dispatch_petition(
                petition=petition, department=department, actor=recorder, now=when
            )
        GroupMembershipFactory(group=group, member=member)
        PointsEntry.objects.create(
            member=member,
            year=today.year,
            points=i + 1,
            reason=payload,
            source=PointsEntry.Source.MANUAL,
            source_label=payload,
            recorded_by=recorder,
        )
        activity_services.check_in(activity=activity, member=member, actor=recorder)
    PointsEntry.objects.create(
        member=members[0],
        year=today.year,
        points=DEDUCTION,
        reason="缺席扣分",
        source=PointsEntry.Source.MANUAL,
        recorded_by=recorder,
    )
    return {
        "activity": activity,
        "monthly": review.run_monthly_summary(on=today),
        "quarterly": review.run_quarterly_clearance(on=today),
    }


@pytest.fixture
def staff_client(client, db):
    client.force_login(StaffFactory())
    return client


# The exports: how to fetch each, and what must come out of it.


def _admin(app: str, model: str, resource: type, fmt: str):
    def fetch(client, seeded):
        data = {"format": fmt, "resource": "0"}
        prefix = resource.__name__.lower()
        for name in resource().get_export_order():
            data[f"{prefix}_{name}"] = "on"
        return client.post(
            reverse(f"admin:{app}_{model}_export"),
            data,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    return fetch


def _get(name: str, arg: str | None = None, **query):
    def fetch(client, seeded):
        args = [seeded[arg].pk] if arg else []
        return client.get(
            reverse(name, args=args), query, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    return fetch


def _made_by_a_task(name: str, **query):
    """A file made by a task (chamber/downloads.py), taken from its download's page."""

    def fetch(client, seeded):
        return made_by_a_task(
            client, reverse(name), query, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    return fetch


XLSX, CSV = "0", "1"  # the admin's format choices (SpreadsheetAdminMixin.formats)
POINTS = PointsEntryResource.fields["points"].column_name
YEAR = PointsEntryResource.fields["year"].column_name
GROUP_NUMBER = GroupMembershipResource.fields["group"].column_name
PETITIONS = "petitions"  # a report's count column (petitions.sheets)

# name: (fetch, "xlsx" or "csv", carries the payloads, numeric column headers)
EXPORTS = {
    "enterprises.xlsx": (
        _admin("members", "enterprise", EnterpriseResource, XLSX),
        "xlsx",
        True,
        [],
    ),
    "enterprises.csv": (
        _admin("members", "enterprise", EnterpriseResource, CSV),
        "csv",
        True,
        [],
    ),
    "members.xlsx": (
        _admin("members", "member", MemberResource, XLSX),
        "xlsx",
        True,
        [],
    ),
    "members.csv": (_admin("members", "member", MemberResource, CSV), "csv", True, []),
    "memberships.xlsx": (
        _admin("groups", "groupmembership", GroupMembershipResource, XLSX),
        "xlsx",
        True,
        [YEAR, GROUP_NUMBER],
    ),
    "memberships.csv": (
        _admin("groups", "groupmembership", GroupMembershipResource, CSV),
        "csv",
        True,
        [YEAR, GROUP_NUMBER],
    ),
    "ledger.xlsx": (
        _admin("groups", "pointsentry", PointsEntryResource, XLSX),
        "xlsx",
        True,
        [YEAR, POINTS],
    ),
    "ledger.csv": (
        _admin("groups", "pointsentry", PointsEntryResource, CSV),
        "csv",
        True,
        [YEAR, POINTS],
    ),
    "attendance.xlsx": (
        _get("activities:attendance_export", "activity"),
        "xlsx",
        True,
        [],
    ),
    "petition-list.xlsx": (
        _made_by_a_task("petitions:staff_list", format="xlsx"),
        "xlsx",
        True,
        [],
    ),
    "monthly-report.xlsx": (
        _get("petitions:report_export", "monthly"),
        "xlsx",
        True,
        [PETITIONS],
    ),
    "quarterly-report.xlsx": (
        _get("petitions:report_export", "quarterly"),
        "xlsx",
        True,
        [PETITIONS],
    ),
    "leader-overview.xlsx": (
        _get("petitions:leader_home", format="xlsx"),
        "xlsx",
        True,
        [PETITIONS],
    ),
    "opinion-form-template.xlsx": (
        _get("petitions:batch_template"),
        "xlsx",
        False,
        [],
    ),
}


def xlsx_tables(content: bytes) -> list[list[list]]:
    """Each sheet as rows of cells."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[list(row) for row in sheet.iter_rows()] for sheet in book.worksheets]


def csv_tables(content: bytes) -> list[list[list[str]]]:
    return [list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))]


def numeric_positions(tables, headers: set[str], kind: str) -> set[tuple]:
    """(sheet, row, column) of every cell under a header naming a numeric column."""
    found = set()
    for t, table in enumerate(tables):
        values = [[_value(cell, kind) for cell in row] for row in table]
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                if value not in headers:
                    continue
                for below in range(r + 1, len(values)):
                    cell = values[below][c] if c < len(values[below]) else None
                    if cell not in (None, "") and cell not in headers:
                        found.add((t, below, c))
    return found


def _value(cell, kind: str):
    return cell.value if kind == "xlsx" else cell


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_writes_formula_text_as_text_and_numbers_as_numbers(
    staff_client, seeded, name
):
    fetch, kind, carries_payloads, numeric = EXPORTS[name]
    with translation.override("zh-hans"):
        response = fetch(staff_client, seeded)

    assert response.status_code == 200, response.content[:500]
    if kind == "xlsx":
        assert response["Content-Type"].startswith(XLSX_TYPE)
        tables = xlsx_tables(response.content)
    else:
        assert response["Content-Type"].startswith("text/csv")
        tables = csv_tables(response.content)
    cells = {
        (t, r, c): cell
        for t, table in enumerate(tables)
        for r, row in enumerate(table)
        for c, cell in enumerate(row)
    }
    numbers = numeric_positions(tables, {zh(h) for h in numeric}, kind)
    if numeric:
        assert numbers, f"{name}: no numeric column found"

    texts = set()
    for position, cell in cells.items():
        value = _value(cell, kind)
        if kind == "xlsx":
            assert cell.data_type != "f", (name, cell.coordinate, value)
        if position in numbers:
            if kind == "xlsx":
                assert cell.data_type == "n", (name, cell.coordinate, value)
            else:
                int(value)  # written as a plain number, no apostrophe
            continue
        if not isinstance(value, str):
            continue
        texts.add(value)
        assert not value.startswith(TRIGGERS), (name, position, value)
        if kind == "xlsx" and value[:1] == "'":
            assert cell.data_type == "s", (name, cell.coordinate, value)

    if carries_payloads:
        expected = {safe_cell(p) for p in stored_payloads()}
        if kind == "xlsx":
            # XML may read a carriage return back as a line feed (the standard library's
            # parser does, lxml's keeps it): the same text either way.
            expected = {p.replace("\r", "\n") for p in expected}
            texts = {t.replace("\r", "\n") for t in texts}
        missing = expected - texts
        assert not missing, (name, missing)
    if POINTS in numeric:
        points = {_value(cells[p], kind) for p in numbers}
        assert (DEDUCTION if kind == "xlsx" else str(DEDUCTION)) in points


@pytest.mark.postgres
def test_postgresql_refuses_the_nul_payload_so_no_export_can_carry_it(db):
    """On SQLite the exports above are seeded with NUL too; PostgreSQL cannot hold it."""
    with pytest.raises(ValueError), transaction.atomic():
        EnterpriseFactory(name=NUL)
