"""The monthly summary (月总结) and its figures (petitions.selectors.period_report).

One March 2026 is played through the services with explicit times, so every figure of
the stored report is known in advance (March 2026 has no public holiday):

    petition  dept  received  channel         category  answered  outcome    rating (solved?)
    A1        甲局   2 Mar     online          融资信贷    5 Mar     resolved   satisfied (6th)
    A2        甲局   2 Mar     online          融资信贷    9 Mar     resolved   basically, partly (10th)
    A3        甲局   3 Mar     online          融资信贷   10 Mar     partly     unsatisfied, not (11th)
    A4        甲局   3 Mar     phone           融资信贷   24 Mar     explained  (rated 2 Apr)
    B1        乙局   4 Mar     online          市场拓展    6 Mar     resolved   satisfied (9th)
    B2        乙局   4 Mar     online          市场拓展   20 Mar     resolved   satisfied (23rd)
    B3        乙→丙  5 Mar     reception hall  审批服务   11 Mar     resolved   satisfied (12th)
    H1        -     6 Mar     phone           审批服务    6 Mar     resolved   none (study of 16th)
    S1        -    30 Mar     duty studio     审批服务    -

Every rating says the problem was solved but A2's (partly solved) and A3's (not solved).

B3 is returned by 乙局 on 6 March and dispatched to 丙局 on 9 March. Time limits are
10 working days from dispatch: A4 (due 17 Mar) and B2 (due 18 Mar) are answered late.
"""

from datetime import date

from petitions import review, selectors, services, topics
from petitions.models import Petition, ReviewRun
from tests.factories import DepartmentFactory, PetitionFactory
from tests.support import reports
from tests.support.reports import O, at

# The fixtures of tests/support/reports.py, for this module's tests.
departments = reports.departments
march = reports.march

S = Petition.Status
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_monthly_summary_on_the_first_stores_the_previous_months_report(march):
    run = review.run_monthly_summary(on=date(2026, 4, 1))

    assert run.kind == ReviewRun.Kind.MONTHLY
    assert (run.period_start, run.period_end) == MARCH
    assert run.finished_at is not None
    run.refresh_from_db()
    # the period's figures, and the candidates for the next month's topic (每月一题)
    candidates = run.report.pop("candidates")
    # and the method's rules it was computed with (chamber/method_rules.py)
    assert run.report.pop("rules")["min_ranked"] == 3
    assert run.report == selectors.period_report(first=MARCH[0], last=MARCH[1])
    assert candidates == topics.candidates(first=MARCH[0], last=MARCH[1])
    assert run.stats == run.report["totals"]
    assert (run.report["first"], run.report["last"]) == ("2026-03-01", "2026-03-31")


def test_monthly_report_counts_the_intake_by_channel_and_category(march):
    report = review.run_monthly_summary(on=date(2026, 4, 1)).report

    assert report["totals"]["intake"] == 9
    assert report["by_channel"] == [
        {"code": "online", "count": 5},
        {"code": "duty_studio", "count": 1},
        {"code": "reception_hall", "count": 1},
        {"code": "consultation_day", "count": 0},
        {"code": "opinion_form", "count": 0},
        {"code": "phone", "count": 2},
    ]
    assert report["by_category"] == [
        {"name": "融资信贷", "count": 4},
        {"name": "审批服务", "count": 3},
        {"name": "市场拓展", "count": 2},
    ]


def test_monthly_report_gives_the_rates_and_the_days_to_reply(march):
    totals = review.run_monthly_summary(on=date(2026, 4, 1)).report["totals"]

    assert totals == {
        "intake": 9,
        "answered": 8,
        "answered_on_time": 6,  # A4 and B2 were late
        "answered_on_time_original": 6,  # no extension: the same
        "resolved": 6,  # the departments' word
        "partly": 1,
        "explained": 1,
        "paused_days": 0,
        "rating_ended": 7,  # A4's rating came in April
        "rated": 6,  # H1 closed with no rating
        "rated_by_staff": 0,
        "no_rating": 1,
        "satisfied": 4,
        "basically": 1,
        "unsatisfied": 1,
        "satisfied_or_basically": 5,
        "rated_with_solved": 6,  # the enterprises' word
        "solved": 4,
        "partly_solved": 1,
        "unsolved": 1,
        "extensions_asked": 0,
        "extensions_approved": 0,
        "extensions_refused": 0,
        "bounces": 1,
        "merged": 0,
        "additions": 0,
        "repeats": 0,
        "response_rate": 75.0,
        "response_rate_original": 75.0,
        "resolution_rate": 66.7,  # 4 of 6 enterprises say solved
        "declared_resolution_rate": 75.0,  # 6 of 8 answers declared resolved
        "resolution_gap": 8.3,
        "satisfaction_rate": 83.3,  # 5 of 6: "no rating" is not "unsatisfied"
        "visit_rate": 85.7,  # 6 of the 7 whose rating time ended
        # Working days from receipt to answer: 0 2 3 4 5 5 12 15.
        "median_days": 4.5,
        "p90_days": 15,
    }


def _counts(**given) -> dict:
    """A department's counts: those given, every other 0."""
    zero = dict.fromkeys(
        ("dispatched", "answered", "answered_on_time", "answered_on_time_original",
         "resolved", "partly", "explained", "paused_days", "rating_ended", "rated",
         "rated_by_staff", "no_rating", "satisfied", "basically", "unsatisfied",
         "satisfied_or_basically", "rated_with_solved", "solved", "partly_solved",
         "unsolved", "extensions_asked", "extensions_approved", "extensions_refused",
         "bounces"),
        0,
    )  # fmt: skip
    return {**zero, **given}


def test_monthly_report_ranks_departments_with_at_least_three_petitions(
    march, departments
):
    rows = review.run_monthly_summary(on=date(2026, 4, 1)).report["departments"]

    common = {"id", "name", "petitions", "rank", "tied"}
    assert [{k: row[k] for k in common} for row in rows] == [
        {"id": departments["甲"].pk, "name": "甲局", "petitions": 4, "rank": 1, "tied": False},
        {"id": departments["乙"].pk, "name": "乙局", "petitions": 3, "rank": 2, "tied": False},
        {"id": departments["丙"].pk, "name": "丙局", "petitions": 1, "rank": None, "tied": False},
    ]  # fmt: skip
    a, b, c = rows
    assert {k: a[k] for k in a if k not in common} == {
        **_counts(dispatched=4, answered=4, answered_on_time=3,
                  answered_on_time_original=3, resolved=2, partly=1, explained=1,
                  rating_ended=3, rated=3, satisfied=1, basically=1, unsatisfied=1,
                  satisfied_or_basically=2, rated_with_solved=3, solved=1,
                  partly_solved=1, unsolved=1),
        "response_rate": 75.0, "response_rate_original": 75.0,
        "resolution_rate": 33.3, "declared_resolution_rate": 50.0,
        "resolution_gap": 16.7, "satisfaction_rate": 66.7, "visit_rate": 100.0,
    }  # fmt: skip
    assert {k: b[k] for k in b if k not in common} == {
        **_counts(dispatched=3, answered=2, answered_on_time=1,
                  answered_on_time_original=1, resolved=2, rating_ended=2, rated=2,
                  satisfied=2, satisfied_or_basically=2, rated_with_solved=2,
                  solved=2, bounces=1),
        "response_rate": 50.0, "response_rate_original": 50.0,
        "resolution_rate": 100.0, "declared_resolution_rate": 100.0,
        "resolution_gap": 0.0, "satisfaction_rate": 100.0, "visit_rate": 100.0,
    }  # fmt: skip
    # Perfect rates, but one petition is too few to rank.
    assert (c["response_rate"], c["satisfaction_rate"], c["resolution_rate"]) == (
        100.0,
    ) * 3


def test_monthly_summary_twice_returns_the_stored_report_unchanged(march, staff):
    first = review.run_monthly_summary(on=date(2026, 4, 1))
    stored = dict(first.report)
    # An answer back-dated into March after the summary ran does not rewrite it.
    services.accept_petition(
        petition=march["S1"],
        actor=staff,
        category=march["S1"].category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.CHAMBER,
        now=at(date(2026, 3, 31), 9),
    )
    services.answer_petition(
        petition=march["S1"], actor=staff, answer="已答复。", outcome=O.RESOLVED,
        now=at(date(2026, 3, 31), 10),
    )  # fmt: skip

    again = review.run_monthly_summary(on=date(2026, 4, 15))

    assert again == first
    again.refresh_from_db()
    assert again.report == stored
    assert again.report["totals"]["answered"] == 8
    assert ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY).count() == 1


def test_the_monthly_summary_of_january_covers_december(db):
    run = review.run_monthly_summary(on=date(2026, 1, 1))

    assert (run.period_start, run.period_end) == (date(2025, 12, 1), date(2025, 12, 31))


def test_a_month_is_counted_in_china_time(db):
    PetitionFactory(created_at=at(date(2026, 3, 31), 23, 30))  # 15:30 UTC
    PetitionFactory(created_at=at(date(2026, 4, 1), 0, 30))  # still 31 March in UTC
    PetitionFactory(created_at=at(date(2026, 3, 1), 0, 10))  # still 28 February in UTC

    report = selectors.period_report(first=MARCH[0], last=MARCH[1])

    assert report["totals"]["intake"] == 2


def test_an_empty_month_has_no_rates(db):
    DepartmentFactory()

    report = selectors.period_report(first=MARCH[0], last=MARCH[1])

    totals = report["totals"]
    assert totals["intake"] == totals["answered"] == totals["rated"] == 0
    for key in (
        "response_rate", "response_rate_original", "resolution_rate",
        "declared_resolution_rate", "resolution_gap", "satisfaction_rate", "visit_rate",
    ):  # fmt: skip
        assert totals[key] is None, key
    assert totals["median_days"] is None
    assert totals["p90_days"] is None
    assert report["departments"] == []
    assert report["repeats"] == []
    assert {row["count"] for row in report["by_channel"]} == {0}
