"""LD-2: the secretariat's day on a year's petitions (issue 10). Run by bench/load.sh:

    BENCH_LOGINS=logins.json .venv/bin/locust -f bench/locustfile_staff.py --headless \
        --host http://127.0.0.1:PORT --users 11 --spawn-rate 2 --run-time 10m --csv ld2

BENCH_LOGINS is the file `bench/burst.py prepare` writes: the staff logins with their
password, a sample of petitions and the stored monthly reports. Each Staff user logs in
once through the login form, then works through the day again and again with 1-3 s
between steps: the triage board, the open petitions, a search, one petition's staff
page, the escalations, the reports and one monthly report, the staff dashboard, the
Excel export of the list (the open petitions and the whole list, every other round:
the whole list is a year's petitions, as many as the export holds) and the monthly
report's Excel export. One Bare user asks /bench/bare/ all along (bench/locustfile.py's):
the run's own baseline.

The exit code comes from the quitting listener: 1 when any request failed, when the p95
of the pages (exports and baseline left out) is 1,000 ms or more, or when an export took
10 s or more (CHECKS.md LD-2: "the export completes in < 10 s for a year's data"). With
BENCH_LD2_SUMMARY set, it writes those figures there as JSON.
"""

import itertools
import json
import os
import random

from locust import HttpUser, SequentialTaskSet, between, events, task
from locust.stats import StatsEntry

from bench.burst import locust_rows
from bench.locustfile import BASELINE, LOGINS, Bare, csrf_of
from bench.locustfile import verdict as member_verdict

# Bare is this run's baseline too; LD-1's verdict is not this run's.
events.quitting.remove_listener(member_verdict)
__all__ = ["Bare", "Staff"]

PAGES_P95_LIMIT_MS = 1000
EXPORT_LIMIT_MS = 10_000
EXPORT = "export: "
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Words of the generated titles (bench/petitions.py's TOPICS), as the staff search them.
SEARCHES = ["补贴", "融资", "厂房", "许可", "拖欠", "社保"]
_next_staff = itertools.count()


class Day(SequentialTaskSet):
    """The staff's round, step by step, with think time between steps."""

    def page(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif "/accounts/" in response.url:
                response.failure(f"sent to {response.url}")
        return response

    def export(self, path: str, name: str) -> None:
        with self.client.get(path, name=EXPORT + name, catch_response=True) as response:
            kind = response.headers.get("Content-Type", "")
            if response.status_code != 200 or not kind.startswith(XLSX):
                response.failure(f"status {response.status_code}, {kind}")
            elif not response.content.startswith(b"PK"):
                response.failure("not a workbook")

    @task
    def triage_board(self):
        self.page("/petitions/staff/", "triage board")

    @task
    def open_list(self):
        self.page("/petitions/staff/all/?status=open", "list: open")

    @task
    def search(self):
        self.page(f"/petitions/staff/all/?q={random.choice(SEARCHES)}", "list: search")

    @task
    def petition(self):
        pk = random.choice(LOGINS["staff_petitions"])
        self.page(f"/petitions/staff/{pk}/", "petition (staff page)")

    @task
    def escalations(self):
        self.page("/petitions/escalations/", "escalations")

    @task
    def reports(self):
        self.page("/petitions/reports/", "reports")

    @task
    def monthly_report(self):
        self.user.report = random.choice(LOGINS["monthly_reports"])
        self.page(f"/petitions/reports/{self.user.report}/", "monthly report")

    @task
    def dashboard(self):
        self.page("/staff/", "staff dashboard")

    @task
    def export_list(self):
        self.user.rounds += 1
        if self.user.rounds % 2:
            self.export(
                "/petitions/staff/all/?status=open&format=xlsx", "open petitions (xlsx)"
            )
        else:
            self.export("/petitions/staff/all/?format=xlsx", "all petitions (xlsx)")

    @task
    def export_report(self):
        self.export(
            f"/petitions/reports/{self.user.report}/report.xlsx",
            "monthly report (xlsx)",
        )


class Staff(HttpUser):
    wait_time = between(1, 3)
    tasks = [Day]

    def on_start(self):
        self.rounds = 0
        self.report = LOGINS["monthly_reports"][0]
        username = LOGINS["staff"][next(_next_staff) % len(LOGINS["staff"])]
        page = self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_of(page),
                "username": username,
                "password": LOGINS["password"],
            },
            name="log in",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure("still on the login page")


@events.quitting.add_listener
def verdict(environment, **_kwargs):
    stats = environment.stats
    pages = StatsEntry(stats, "pages", "", use_response_times_cache=False)
    exports = StatsEntry(stats, "exports", "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if entry.name.startswith(EXPORT):
            exports.extend(entry)
        elif entry.name != BASELINE:
            pages.extend(entry)
    pages_p95 = pages.get_response_time_percentile(0.95) or 0
    export_max = exports.max_response_time or 0
    summary = {
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "fail_ratio": stats.total.fail_ratio,
        "pages_requests": pages.num_requests,
        "pages_p50_ms": pages.get_response_time_percentile(0.5) or 0,
        "pages_p95_ms": pages_p95,
        "pages_p99_ms": pages.get_response_time_percentile(0.99) or 0,
        "pages_p95_limit_ms": PAGES_P95_LIMIT_MS,
        "exports": exports.num_requests,
        "exports_p50_ms": exports.get_response_time_percentile(0.5) or 0,
        "exports_p95_ms": exports.get_response_time_percentile(0.95) or 0,
        "exports_max_ms": export_max,
        "export_limit_ms": EXPORT_LIMIT_MS,
    }
    failed = (
        stats.total.fail_ratio > 0
        or pages_p95 >= PAGES_P95_LIMIT_MS
        or export_max >= EXPORT_LIMIT_MS
        or not exports.num_requests
    )
    environment.process_exit_code = 1 if failed else 0
    summary["exit"] = environment.process_exit_code
    summary["rows"] = locust_rows(stats)
    if os.environ.get("BENCH_LD2_SUMMARY"):
        with open(os.environ["BENCH_LD2_SUMMARY"], "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    print(
        f"LD-2 verdict: {json.dumps({k: v for k, v in summary.items() if k != 'rows'})}"
    )
