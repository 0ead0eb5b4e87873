"""The rates (petitions/rates.py, issue 20 item 3): every numerator and denominator of a
seeded quarter equals a direct query of the events, and the report page, its workbook,
the leader's page and the e-mails to officials show the same counts.

The second quarter of 2026, played through the services (dispatched and signed for on
receipt; "solved" is the enterprise's word, the outcome the department's):

    petition  dept  received  what happens
    J1        甲局   7 Apr     resolved 9 Apr; solved, satisfied (10th)
    J2        甲局   8 Apr     resolved 14 Apr; partly solved, basically satisfied (15th)
    J3        甲局   8 Apr     partly 15 Apr; not solved, unsatisfied (16th): back to 甲局;
                              resolved 6 May; return visit 8 May: partly, basically
    J4        甲局   9 Apr     extension asked and approved; answered after the original
                              due date, by the approved one; no rating (study of 29 Jun)
    J5        甲局  11 May     the enterprise is asked (12 May) and answers (19 May): 5
                              working days paused; an addition on 14 May; explained
                              21 May; solved, satisfied (22nd)
    Y1        乙局  13 Apr     resolved 20 Apr; return visit 28 Apr: solved, satisfied
    Y2        乙局  14 Apr     extension refused; answered late; partly solved,
                              unsatisfied: back to 乙局
    Y3        乙局   6 May     an addition on 7 May; resolved 8 May; no rating
    Y4        乙局  22 Jun     resolved 26 Jun: its rating time has not ended (rated 2 Jul)
    Y5        乙局  14 Apr     resolved 16 Apr; rated satisfied before the enterprise was
                              asked whether it was solved (older data, no "solved")
    B1        丙局  20 Apr     resolved 22 Apr; solved, basically satisfied
    B2        丙局  21 Apr     extension asked, not decided; resolved 24 Apr; return
                              visit 28 Apr: not solved, unsatisfied: back to 丙局
    O1        丙局  16 Mar     answered 25 Mar (last quarter); solved, satisfied 2 Apr
    H1        -     7 Apr     answered by the chamber; no rating
    M1, M2    -    12/13 May  merged into J5 and J1 (repeats)
"""

from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from chamber import workdays
from petitions import rates, review, selectors, services, sheets
from petitions.models import (
    Extension,
    InfoRequest,
    Petition,
    PetitionEvent,
    ReturnVisit,
    ReviewRun,
)
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import (
    DepartmentFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
)
from tests.support.mail import mails_to
from tests.support.reports import answer, at, dispatch, rate, received
from tests.support.review_cycle import assert_email_contains
from tests.support.smtp import rendered

S = Petition.Status
O = Petition.Outcome  # noqa: E741 - not an ambiguous name here
R = Petition.Rating
QUARTER = (date(2026, 4, 1), date(2026, 6, 30))
MONTHS = [
    (date(2026, 4, 1), date(2026, 4, 30)),
    (date(2026, 5, 1), date(2026, 5, 31)),
    (date(2026, 6, 1), date(2026, 6, 30)),
]


def visit(petition, staff, day: date, solved: str, rating: str):
    """A return visit (回访) by phone: the enterprise's two answers, taken by staff."""
    unsolved = solved == "unsolved" or rating == R.UNSATISFIED
    return services.record_return_visit(
        petition=petition,
        actor=staff,
        way=ReturnVisit.Way.PHONE,
        spoke_with="王经理",
        visited_at=at(day, 14),
        solved=solved,
        rating=rating,
        note="仍需跟进。" if unsolved else "",
        now=at(day, 15),
    )


def extend(petition, staff, day: date, *, decide: bool | None) -> Extension:
    """The department asks for two more weeks on `day`; staff decide the next day."""
    extension = services.ask_extension(
        petition=petition,
        actor=staff,
        reason="需现场核查。",
        proposed_due=petition.due_on + timedelta(days=14),
        now=at(day, 14),
    )
    if decide is not None:
        services.decide_extension(
            extension=extension,
            actor=staff,
            approve=decide,
            note="" if decide else "期限内可以办结。",
            now=at(day + timedelta(days=1), 9),
        )
    return extension


def case(staff, department, day: date, code: str = "financing") -> Petition:
    return dispatch(received(day, code=code), staff, department, day)


@pytest.fixture
def departments(db):
    return {
        "甲": DepartmentFactory(name="甲局", sort_order=1),
        "乙": DepartmentFactory(name="乙局", sort_order=2),
        "丙": DepartmentFactory(name="丙局", sort_order=3),
    }


@pytest.fixture
def quarter(staff, departments):
    """The quarter of the module docstring; the petitions by name."""
    a, b, c = departments["甲"], departments["乙"], departments["丙"]
    p = {}
    d = date
    # 甲局
    p["J1"] = answer(case(staff, a, d(2026, 4, 7)), staff, d(2026, 4, 9), O.RESOLVED)
    p["J1"] = rate(p["J1"], R.SATISFIED, d(2026, 4, 10))
    p["J2"] = answer(case(staff, a, d(2026, 4, 8)), staff, d(2026, 4, 14), O.RESOLVED)
    p["J2"] = rate(p["J2"], R.BASICALLY, d(2026, 4, 15), solved="partly")
    j3 = answer(case(staff, a, d(2026, 4, 8)), staff, d(2026, 4, 15), O.PARTLY)
    j3 = rate(j3, R.UNSATISFIED, d(2026, 4, 16), solved="unsolved")
    assert j3.status == S.IN_PROGRESS
    j3 = answer(j3, staff, d(2026, 5, 6), O.RESOLVED)
    visit(j3, staff, d(2026, 5, 8), "partly", R.BASICALLY)
    j4 = case(staff, a, d(2026, 4, 9))
    original_due = j4.due_on
    extend(j4, staff, d(2026, 4, 10), decide=True)
    j4.refresh_from_db()
    assert (j4.original_due_on, j4.due_on) == (
        original_due,
        original_due + timedelta(days=14),
    )
    p["J4"] = answer(j4, staff, original_due + timedelta(days=3), O.RESOLVED)
    j5 = case(staff, a, d(2026, 5, 11), code="approvals")
    member = MemberFactory(enterprise=j5.enterprise).user
    services.ask_enterprise(
        petition=j5,
        actor=staff,
        request="请补充营业执照副本。",
        now=at(d(2026, 5, 12), 14),
    )
    services.add_to_petition(
        petition=j5, actor=member, title="", description="补充：去年也反映过。",
        now=at(d(2026, 5, 14), 10),
    )  # fmt: skip
    info = services.answer_info_request(
        petition=j5, actor=member, answer="已上传。", now=at(d(2026, 5, 19), 10)
    )
    assert info.paused_working_days == 5  # 13, 14, 15, 18 and 19 May
    j5 = answer(j5, staff, d(2026, 5, 21), O.EXPLAINED)
    p["J5"] = rate(j5, R.SATISFIED, d(2026, 5, 22))
    # 乙局
    y1 = answer(case(staff, b, d(2026, 4, 13)), staff, d(2026, 4, 20), O.RESOLVED)
    visit(y1, staff, d(2026, 4, 28), "solved", R.SATISFIED)
    y2 = case(staff, b, d(2026, 4, 14))
    extend(y2, staff, d(2026, 4, 15), decide=False)
    y2.refresh_from_db()
    y2 = answer(y2, staff, y2.due_on + timedelta(days=3), O.RESOLVED)
    rate(y2, R.UNSATISFIED, y2.due_on + timedelta(days=4), solved="partly")
    y3 = case(staff, b, d(2026, 5, 6), code="market")
    services.add_to_petition(
        petition=y3, actor=MemberFactory(enterprise=y3.enterprise).user, title="补充",
        description="附上照片。", now=at(d(2026, 5, 7), 10),
    )  # fmt: skip
    p["Y3"] = answer(y3, staff, d(2026, 5, 8), O.RESOLVED)
    p["Y4"] = answer(case(staff, b, d(2026, 6, 22)), staff, d(2026, 6, 26), O.RESOLVED)
    y5 = answer(case(staff, b, d(2026, 4, 14)), staff, d(2026, 4, 16), O.RESOLVED)
    # A rating from before the enterprise was asked whether it was solved.
    PetitionEvent.objects.create(
        petition=y5, kind="status", from_status=S.REPLIED, to_status=S.CLOSED,
        created_at=at(d(2026, 4, 17), 15),
        data={"rating": R.SATISFIED, "department_id": b.pk},
    )  # fmt: skip
    Petition.objects.filter(pk=y5.pk).update(status=S.CLOSED, rating=R.SATISFIED)
    # 丙局
    b1 = answer(case(staff, c, d(2026, 4, 20)), staff, d(2026, 4, 22), O.RESOLVED)
    rate(b1, R.BASICALLY, d(2026, 4, 23))
    b2 = case(staff, c, d(2026, 4, 21))
    extend(b2, staff, d(2026, 4, 22), decide=None)
    b2 = answer(b2, staff, d(2026, 4, 24), O.RESOLVED)
    visit(b2, staff, d(2026, 4, 28), "unsolved", R.UNSATISFIED)
    o1 = answer(case(staff, c, d(2026, 3, 16)), staff, d(2026, 3, 25), O.RESOLVED)
    rate(o1, R.SATISFIED, d(2026, 4, 2))
    # The chamber's own answer, and two repeats merged.
    h1 = received(d(2026, 4, 7), code="approvals", channel="phone")
    services.accept_petition(
        petition=h1, actor=staff, category=h1.category,
        priority=Petition.Priority.NORMAL, handling=Petition.Handling.CHAMBER,
        now=at(d(2026, 4, 7), 10),
    )  # fmt: skip
    services.answer_petition(
        petition=h1, actor=staff, answer="已当面答复。", outcome=O.RESOLVED,
        now=at(d(2026, 4, 7), 11),
    )  # fmt: skip
    for day, code, into in ((12, "approvals", j5), (13, "financing", p["J1"])):
        services.merge_petition(
            petition=received(d(2026, 5, day), code=code), into=into, actor=staff,
            reason="同一事项，合并办理。", now=at(d(2026, 5, day), 15),
        )  # fmt: skip
    with time_machine.travel(at(d(2026, 6, 29), 8, 30), tick=False):
        study = review.run_daily_study(on=d(2026, 6, 29))
    assert sorted(study.report["closed_without_rating"]) == sorted(
        [p["J4"].pk, p["Y3"].pk, h1.pk]
    )
    rate(p["Y4"], R.SATISFIED, d(2026, 7, 2))  # after the quarter
    return p


# --- the counts, each against a direct query ------------------------------------------------


def _window(first: date, last: date) -> dict:
    return {
        "created_at__gte": workdays.start_of_day(first),
        "created_at__lt": workdays.start_of_day(last + timedelta(days=1)),
    }


def counted(first: date, last: date, department=None) -> dict:
    """Every numerator and denominator of the period, counted straight from the events
    (a department's: its answers, and the ratings of its answers)."""
    events = PetitionEvent.objects.filter(**_window(first, last), kind="status")
    answers = events.filter(to_status=S.REPLIED)
    ended = events.filter(from_status=S.REPLIED, data__has_key="rating")
    if department is not None:
        answers = answers.filter(data__department_id=department.pk)
        # "No rating" names no department: it is the petition's.
        ended = ended.filter(
            Q(data__department_id=department.pk)
            | (~Q(data__has_key="department_id") & Q(petition__department=department))
        )
    rated = ended.exclude(data__rating=R.NONE)
    return {
        "answered": answers.count(),
        "answered_on_time": answers.filter(data__on_time=True).count(),
        "answered_on_time_original": answers.filter(
            data__on_time_original=True
        ).count(),
        "resolved": answers.filter(data__outcome=O.RESOLVED).count(),
        "rating_ended": ended.count(),
        "no_rating": ended.filter(data__rating=R.NONE).count(),
        "rated": rated.count(),
        "rated_by_staff": rated.filter(data__has_key="return_visit").count(),
        "satisfied_or_basically": rated.filter(
            data__rating__in=[R.SATISFIED, R.BASICALLY]
        ).count(),
        "rated_with_solved": rated.filter(
            data__solved__in=["solved", "partly", "unsolved"]
        ).count(),
        "solved": rated.filter(data__solved="solved").count(),
    }


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@pytest.fixture
def report(quarter):
    return selectors.period_report(first=QUARTER[0], last=QUARTER[1])


def test_each_rate_of_the_quarter_is_its_counts_as_a_direct_query_counts_them(report):
    totals, expected = report["totals"], counted(*QUARTER)

    for r in rates.RATES:
        assert (totals[r.part], totals[r.whole]) == (
            expected[r.part],
            expected[r.whole],
        ), r.key
        assert totals[r.key] == percent(expected[r.part], expected[r.whole]), r.key
    # What the quarter holds, by hand: fourteen answers in the quarter (J3's two, H1's;
    # not O1's), J3's second and Y2's late; eleven ratings with the enterprise's word
    # (O1's too), three of them taken on a return visit; J4, Y3 and H1 closed with no
    # rating; Y4's rating time has not ended.
    assert (totals["answered"], totals["answered_on_time"]) == (14, 12)
    assert totals["answered_on_time_original"] == 11  # J4: late against the original
    assert (totals["rated"], totals["rating_ended"], totals["no_rating"]) == (11, 14, 3)
    assert totals["rated_by_staff"] == ReturnVisit.objects.count() == 3
    # Y5's rating (older data) counts for satisfaction, not for resolution.
    assert (totals["satisfied_or_basically"], totals["rated"]) == (8, 11)
    assert (totals["solved"], totals["rated_with_solved"]) == (5, 10)
    assert totals["visit_rate"] == 78.6  # 11 of 14: the unrated are not dropped
    assert totals["resolution_gap"] == round(
        totals["declared_resolution_rate"] - totals["resolution_rate"], 1
    )


def test_each_departments_rates_are_its_counts_as_a_direct_query_counts_them(
    report, departments
):
    rows = {row["name"]: row for row in report["departments"]}

    assert set(rows) == {"甲局", "乙局", "丙局"}
    for department in departments.values():
        row, expected = rows[department.name], counted(*QUARTER, department)
        for r in rates.RATES:
            assert (row[r.part], row[r.whole]) == (
                expected[r.part],
                expected[r.whole],
            ), (
                department.name,
                r.key,
            )
            assert row[r.key] == percent(expected[r.part], expected[r.whole])
        assert row["resolution_gap"] == (
            None
            if row["resolution_rate"] is None
            else round(row["declared_resolution_rate"] - row["resolution_rate"], 1)
        )
        assert (
            row["rated_by_staff"]
            == ReturnVisit.objects.filter(petition__department=department).count()
        )
    # 丙局: B1 and B2 (O1 was answered last quarter): listed, not ranked.
    assert rows["丙局"]["rank"] is None and rows["丙局"]["petitions"] == 2
    # Ranked by response, satisfaction, then the enterprise's resolution.
    assert [rows["甲局"]["rank"], rows["乙局"]["rank"]] == [1, 2]


def test_extensions_pauses_and_on_time_both_ways_per_department(report, departments):
    rows = {row["id"]: row for row in report["departments"]}
    answers = PetitionEvent.objects.filter(
        **_window(*QUARTER), kind="status", to_status=S.REPLIED
    )

    for department in departments.values():
        row = rows[department.pk]
        asked = Extension.objects.filter(
            **{
                "asked_at__gte": workdays.start_of_day(QUARTER[0]),
                "asked_at__lt": workdays.start_of_day(QUARTER[1] + timedelta(days=1)),
            },
            department=department,
        )
        assert (
            row["extensions_asked"],
            row["extensions_approved"],
            row["extensions_refused"],
        ) == (
            asked.count(),
            asked.filter(status="approved").count(),
            asked.filter(status="refused").count(),
        ), department.name
        assert row["paused_days"] == sum(
            e.data.get("paused", 0)
            for e in answers.filter(data__department_id=department.pk)
        )
        assert row["paused_days"] == (
            InfoRequest.objects.filter(petition__department=department).aggregate(
                n=Sum("paused_working_days")
            )["n"]
            or 0
        )
    a, b, c = (rows[departments[k].pk] for k in "甲乙丙")
    assert (a["extensions_asked"], a["extensions_approved"]) == (1, 1)
    assert (b["extensions_asked"], b["extensions_refused"]) == (1, 1)
    assert (
        c["extensions_asked"],
        c["extensions_approved"],
        c["extensions_refused"],
    ) == (
        1,
        0,
        0,
    )
    assert (a["paused_days"], b["paused_days"]) == (5, 0)
    # J4: on time against the approved date, late against the original one (J3's
    # second answer is late against both).
    assert (a["answered_on_time"], a["answered_on_time_original"]) == (5, 4)
    totals = report["totals"]
    assert (totals["extensions_asked"], totals["paused_days"]) == (3, 5)


def test_repeats_are_counted_by_category(report):
    window = _window(*QUARTER)
    merged = dict(
        PetitionEvent.objects.filter(**window, kind="status", to_status=S.MERGED)
        .values_list("petition__category__name")
        .annotate(n=Count("pk"))
    )
    added = dict(
        PetitionEvent.objects.filter(**window, kind="addition")
        .values_list("petition__category__name")
        .annotate(n=Count("pk"))
    )

    assert report["repeats"] == sorted(
        (
            {
                "name": name,
                "merged": merged.get(name, 0),
                "additions": added.get(name, 0),
                "count": merged.get(name, 0) + added.get(name, 0),
            }
            for name in {*merged, *added}
        ),
        key=lambda r: (-r["count"], r["name"]),
    )
    assert [(r["name"], r["merged"], r["additions"]) for r in report["repeats"]] == [
        ("审批服务", 1, 1),
        ("市场拓展", 0, 1),
        ("融资信贷", 1, 0),
    ]
    totals = report["totals"]
    assert (totals["merged"], totals["additions"], totals["repeats"]) == (2, 2, 4)


def test_the_report_reads_the_same_queries_for_a_full_and_an_empty_quarter(quarter):
    with CaptureQueriesContext(connection) as empty:
        selectors.period_report(
            first=date(2025, 4, 1), last=date(2025, 6, 30), min_ranked=3
        )
    with CaptureQueriesContext(connection) as full:
        selectors.period_report(first=QUARTER[0], last=QUARTER[1], min_ranked=3)

    assert len(empty) == len(full) == 5


# --- the same figures wherever they are shown -------------------------------------------------


def _clearance() -> ReviewRun:
    with time_machine.travel(at(date(2026, 7, 1), 7, 30), tick=False):
        return review.run_quarterly_clearance(on=date(2026, 7, 1))


def _shown(figure: rates.Figure) -> str:
    """A rate as the pages show it: the percentage, its counts in small type under it."""
    return (
        f'title="{figure.title}">{figure.percent}</span><small class="d-block '
        f'text-body-secondary text-nowrap" title="{figure.title}">{figure.counts}</small>'
    )


def test_the_report_page_shows_each_rate_with_its_counts(client, quarter, staff):
    run = _clearance()
    client.force_login(staff)

    html = client.get(reverse("petitions:report", args=[run.pk])).content.decode()

    totals = run.report["totals"]
    assert (
        totals == selectors.period_report(first=QUARTER[0], last=QUARTER[1])["totals"]
    )
    for r in rates.HEADLINE:
        figure = rates.figure(totals, r.key)
        assert figure.counts == f"{totals[r.part]}/{totals[r.whole]}"
        assert _shown(figure) in html, r.key
    for row in run.report["departments"]:
        for r in rates.RATES:
            assert _shown(rates.figure(row, r.key)) in html, (row["name"], r.key)
    # The counts' names on hover, and the rates' meanings under the tiles.
    assert 'title="按期答复：12；答复次数：14"' in html
    assert (
        "回访率" in html and "解决率（企业评价）" in html and "部门自报解决率" in html
    )
    for r in rates.RATES:
        assert str(r.meaning) in html
    # Repeats by category, extensions and pauses.
    assert "重复诉求（按类别）" in html and "审批服务" in html
    assert "待企业补充停表工作日" in html and "申请延期" in html


def test_the_workbook_has_each_rate_and_its_numerator_and_denominator(
    client, quarter, staff
):
    run = _clearance()
    client.force_login(staff)

    response = client.get(reverse("petitions:report_export", args=[run.pk]))

    book = load_workbook(BytesIO(response.content))
    totals = run.report["totals"]
    figures = {
        row[0].value: [c.value for c in row[1:4]]
        for row in book.worksheets[0].iter_rows(min_row=3)
    }
    assert book.worksheets[0]["C2"].value == "分子"
    for r in rates.RATES:
        value, part, whole = figures[str(r.label)]
        assert (part, whole) == (totals[r.part], totals[r.whole]), r.key
        assert value == rates.as_fraction(totals[r.key])
    departments = book["部门"]
    heading = [c.value for c in departments[1]]
    rows = {row[1].value: row for row in departments.iter_rows(min_row=2)}
    for stored in run.report["departments"]:
        row = rows[stored["name"]]
        for r in rates.RATES:
            at_column = heading.index(str(r.label))
            assert heading[at_column + 1 : at_column + 3] == [
                str(r.part_label),
                str(r.whole_label),
            ]
            assert [c.value for c in row[at_column : at_column + 3]] == [
                rates.as_fraction(stored[r.key]),
                stored[r.part],
                stored[r.whole],
            ], (stored["name"], r.key)
            assert row[at_column].number_format == sheets.PERCENT
    repeats = book["重复诉求"]
    assert [c.value for c in repeats[2]] == ["审批服务", 1, 1, 2]


def test_the_e_mails_to_officials_and_leaders_give_each_rate_with_its_counts(
    quarter, departments, django_capture_on_commit_callbacks, mailoutbox
):
    liaison = OfficialFactory(department=departments["甲"], is_liaison=True).user
    leader = LeaderFactory().user

    with django_capture_on_commit_callbacks(execute=True):
        run = _clearance()

    (row,) = [r for r in run.report["departments"] if r["name"] == "甲局"]
    (mail,) = [m for m in mails_to(mailoutbox, liaison) if "甲局" in m.subject]
    for r in rates.RATES:
        shown = f"{row[r.key]}%（{row[r.part]}/{row[r.whole]}）"
        assert row[r.key] is not None
        assert_email_contains(mail, str(r.label), shown)
        assert f"{r.label}：{shown}" in mail.body
    assert "回访率：83.3%（5/6）" in mail.body  # J4 closed with no rating
    totals = run.report["totals"]
    (figures,) = [m for m in mails_to(mailoutbox, leader) if "数据" in m.subject]
    for r in rates.RATES:
        shown = f"{totals[r.key]}%（{totals[r.part]}/{totals[r.whole]}）"
        assert_email_contains(figures, str(r.label), shown)
        assert f"{r.label}：{shown}" in figures.body


def test_the_leaders_page_shows_each_months_counts(client, quarter):
    leader = LeaderFactory().user
    client.force_login(leader)

    with time_machine.travel(at(date(2026, 7, 10), 10), tick=False):
        response = client.get(reverse("petitions:leader_home"))
        export = client.get(reverse("petitions:leader_home") + "?format=xlsx")

    html = response.content.decode()
    trend = {row["first"]: row for row in response.context["figures"]["trend"]}
    for first, last in MONTHS:
        expected = counted(first, last)
        for r in rates.HEADLINE:
            figure = rates.figure(trend[first], r.key)
            assert (figure.part, figure.whole) == (
                expected[r.part],
                expected[r.whole],
            ), (first, r.key)
            assert _shown(figure) in html, (first, r.key)
    # Last month (June), every rate, in the comparison and in its sheet.
    june = counted(*MONTHS[2])
    book = load_workbook(BytesIO(export.content))
    sheet = {row[0].value: row for row in book["上月"].iter_rows(min_row=2)}
    for r in rates.RATES:
        label, value, part, whole = (c.value for c in sheet[str(r.label)][:4])
        assert (part, whole) == (june[r.part], june[r.whole]), r.key
        assert value == rates.as_fraction(percent(june[r.part], june[r.whole]))
    trend = book["三率逐月"]
    heading = [c.value for c in trend[1]]
    (may,) = [row for row in trend.iter_rows(min_row=2) if row[0].value == "2026-05"]
    expected = counted(*MONTHS[1])
    for r in rates.RATES:
        at_column = heading.index(str(r.label))
        assert [may[at_column + 1].value, may[at_column + 2].value] == [
            expected[r.part],
            expected[r.whole],
        ], r.key


def test_the_weekly_digest_gives_the_departments_rates_this_month(quarter, departments):
    """乙局 has Y2 back at it: its Monday digest (29 June) lists it, and gives 乙局's
    rates from 1 June, each with its counts."""
    official = OfficialFactory(department=departments["乙"])
    delivery = DigestDelivery.objects.create(
        official=official,
        week_start=date(2026, 6, 29),
        kind=DigestDelivery.Kind.DEPARTMENT,
    )

    built = digests.build_message(delivery, now=at(date(2026, 6, 29), 9))

    mail = rendered(built, official.user)
    june = counted(date(2026, 6, 1), date(2026, 6, 29), departments["乙"])
    assert "贵单位2026-06-01至2026-06-29的各项比率" in mail.body
    for r in rates.HEADLINE:
        value = percent(june[r.part], june[r.whole])
        shown = "—" if value is None else f"{value}%"
        assert_email_contains(
            mail, f"{r.label}：{shown}（{june[r.part]}/{june[r.whole]}）"
        )
    # Y4 answered on time; Y3 closed with no rating on the 29th: 0 of 1.
    assert "响应率：100.0%（1/1）" in mail.body and "回访率：0.0%（0/1）" in mail.body
