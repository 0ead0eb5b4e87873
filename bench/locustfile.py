"""LD-1: members on their phones (issue 10, part 8). Run by bench/load.sh:

    BENCH_LOGINS=logins.json .venv/bin/locust -f bench/locustfile.py --headless \
        --host http://127.0.0.1:PORT --users 51 --spawn-rate 2 --run-time 10m --csv ld1

BENCH_LOGINS is the file `bench/burst.py prepare` writes: generated members with a password,
each with petitions of their own, and the activities open for sign-up. Each Member logs in
once through the login form, then walks the journey again and again with 1-3 s between
steps: home, my petitions, one of their petitions, their group, their points, the
activities, an activity, sign up and cancel. One Bare user asks /bench/bare/ (a template
string through the same middleware) all along: the run's own baseline, so every figure
can be given as a ratio to it.

The exit code comes from the quitting listener: 1 when any request failed or when the p95
of the journey's requests (the baseline left out) is 500 ms or more. With BENCH_LD1_SUMMARY
set, it writes those figures there as JSON.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, SequentialTaskSet, between, events, task
from locust.stats import StatsEntry

BASELINE = "bare (baseline)"
P95_LIMIT_MS = 500

LOGINS = json.loads(Path(os.environ["BENCH_LOGINS"]).read_text(encoding="utf-8"))
_next_member = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CANCEL = re.compile(r'action="(/activities/registrations/\d+/cancel/)"')


def csrf_of(response) -> str:
    found = CSRF.search(response.text or "")
    if not found:
        raise ValueError(f"no CSRF token on {response.url}")
    return found.group(1)


class Journey(SequentialTaskSet):
    """The phone journey, step by step, with the user's think time between steps."""

    @task
    def home(self):
        self.client.get("/", name="home")

    @task
    def my_petitions(self):
        self.client.get("/petitions/", name="my petitions")

    @task
    def petition(self):
        pk = random.choice(self.user.login["petitions"])
        self.client.get(f"/petitions/{pk}/", name="petition detail")

    @task
    def group(self):
        self.client.get("/groups/", name="my group")

    @task
    def points(self):
        self.client.get(
            f"/groups/points/{self.user.login['member']}/", name="my points"
        )

    @task
    def activities(self):
        self.client.get("/activities/", name="activities")

    @task
    def activity(self):
        self.user.activity = random.choice(LOGINS["activities"])
        response = self.client.get(
            f"/activities/{self.user.activity}/", name="activity detail"
        )
        self.user.token = csrf_of(response)

    @task
    def sign_up_and_cancel(self):
        pk = self.user.activity
        with self.client.post(
            f"/activities/{pk}/sign-up/",
            {"csrfmiddlewaretoken": self.user.token},
            name="sign up",
            catch_response=True,
        ) as response:
            found = CANCEL.search(response.text or "")
            if response.status_code != 200 or not found:
                response.failure("signed up, but the page offers no cancel")
                return
        self.wait()
        with self.client.post(
            found.group(1),
            {"csrfmiddlewaretoken": csrf_of(response)},
            name="cancel",
            catch_response=True,
        ) as cancelled:
            if cancelled.status_code != 200 or "/activities/mine/" not in cancelled.url:
                cancelled.failure(f"cancel ended on {cancelled.url}")


class Member(HttpUser):
    wait_time = between(1, 3)
    tasks = [Journey]

    def on_start(self):
        self.login = LOGINS["members"][next(_next_member) % len(LOGINS["members"])]
        page = self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_of(page),
                "username": self.login["username"],
                "password": LOGINS["password"],
            },
            name="log in",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure("still on the login page")


class Bare(HttpUser):
    """The same run's baseline: one anonymous client on the bare template view."""

    fixed_count = 1
    wait_time = between(0.5, 1)

    @task
    def bare(self):
        self.client.get("/bench/bare/", name=BASELINE)


@events.quitting.add_listener
def verdict(environment, **_kwargs):
    stats = environment.stats
    journey = StatsEntry(stats, "journey", "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if entry.name != BASELINE:
            journey.extend(entry)
    p95 = journey.get_response_time_percentile(0.95) or 0
    summary = {
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "fail_ratio": stats.total.fail_ratio,
        "journey_requests": journey.num_requests,
        "journey_p50_ms": journey.get_response_time_percentile(0.5) or 0,
        "journey_p95_ms": p95,
        "journey_p99_ms": journey.get_response_time_percentile(0.99) or 0,
        "p95_limit_ms": P95_LIMIT_MS,
    }
    failed = stats.total.fail_ratio > 0 or p95 >= P95_LIMIT_MS
    environment.process_exit_code = 1 if failed else 0
    summary["exit"] = environment.process_exit_code
    if os.environ.get("BENCH_LD1_SUMMARY"):
        with open(os.environ["BENCH_LD1_SUMMARY"], "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    print(f"LD-1 verdict: {json.dumps(summary)}")
