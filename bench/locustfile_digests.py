"""LD-4: the weekly digests sent while members use the portal (issue 10). Run by bench/load.sh:

    BENCH_LOGINS=logins.json BENCH_LD4_SEND="python bench/digests_load.py send ..." \
        .venv/bin/locust -f bench/locustfile_digests.py --headless \
        --host http://127.0.0.1:PORT --users 21 --spawn-rate 2 --run-time 15m --csv ld4

The members' phone journey and the bare baseline of bench/locustfile.py (LD-1). Once
every member has logged in, the statistics are emptied (their failures counted first)
and the command in BENCH_LD4_SEND starts (bench/digests_load.py send: the week's digests
planned through Redis, sent by the real worker to the SMTP sink, waited for); when it
ends, locust stops. So the figures are those of the send window and nothing else.
--run-time is only a cap.

The exit code comes from the quitting listener: 1 when the send command failed (a
digest not sent exactly once, or not in time: see digests_load.py), when any web request
failed (before the window too), or when the p95 of the members' requests in the window
(the baseline left out) is 500 ms or more (LD-1's target). With BENCH_LD4_SUMMARY set, it writes those figures there as JSON.
"""

import json
import os
import shlex
import subprocess
import time

import gevent
from locust import events
from locust.stats import StatsEntry

from bench import locustfile as ld1
from bench.burst import locust_rows

# LD-1's verdict is not this run's.
events.quitting.remove_listener(ld1.verdict)
BASELINE = ld1.BASELINE
Bare = ld1.Bare
P95_LIMIT_MS = 500
LOGIN_WAIT_S = 300
WINDOW = {"send_exit": None, "window_s": None, "ramp_requests": 0, "ramp_failures": 0}
LOGGED_IN = {"n": 0}


class Member(ld1.Member):
    """LD-1's member, counted once logged in: the send waits for all of them."""

    def on_start(self):
        try:
            super().on_start()
        finally:
            LOGGED_IN["n"] += 1


def send_window(environment) -> None:
    """Once every member has logged in: the statistics afresh, the digests' run, timed;
    locust stops when it ends."""
    members = environment.runner.user_classes_count.get("Member", 0)
    deadline = time.monotonic() + LOGIN_WAIT_S
    while LOGGED_IN["n"] < members and time.monotonic() < deadline:
        gevent.sleep(0.2)
    WINDOW["ramp_requests"] = environment.stats.total.num_requests
    WINDOW["ramp_failures"] = environment.stats.total.num_failures
    environment.stats.reset_all()
    started = time.monotonic()
    try:
        done = subprocess.run(shlex.split(os.environ["BENCH_LD4_SEND"]), check=False)
        WINDOW["send_exit"] = done.returncode
    finally:
        WINDOW["window_s"] = round(time.monotonic() - started, 2)
        environment.runner.quit()


_environment = {}


@events.init.add_listener
def remember(environment, **_kwargs):
    _environment["env"] = environment


@events.spawning_complete.add_listener
def start_sending(user_count, **_kwargs):
    gevent.spawn(send_window, _environment["env"])


@events.quitting.add_listener
def verdict(environment, **_kwargs):
    stats = environment.stats
    web = StatsEntry(stats, "members", "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if entry.name != BASELINE:
            web.extend(entry)
    p95 = web.get_response_time_percentile(0.95) or 0
    summary = {
        "window_s": WINDOW["window_s"],
        "send_exit": WINDOW["send_exit"],
        "ramp_requests": WINDOW["ramp_requests"],
        "ramp_failures": WINDOW["ramp_failures"],
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "fail_ratio": stats.total.fail_ratio,
        "web_requests": web.num_requests,
        "web_p50_ms": web.get_response_time_percentile(0.5) or 0,
        "web_p95_ms": p95,
        "web_p99_ms": web.get_response_time_percentile(0.99) or 0,
        "p95_limit_ms": P95_LIMIT_MS,
    }
    failed = (
        WINDOW["send_exit"] != 0
        or stats.total.fail_ratio > 0
        or WINDOW["ramp_failures"]
        or p95 >= P95_LIMIT_MS
        or not web.num_requests
    )
    environment.process_exit_code = 1 if failed else 0
    summary["exit"] = environment.process_exit_code
    summary["rows"] = locust_rows(stats)
    if os.environ.get("BENCH_LD4_SUMMARY"):
        with open(os.environ["BENCH_LD4_SUMMARY"], "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    print(
        f"LD-4 verdict: {json.dumps({k: v for k, v in summary.items() if k != 'rows'})}"
    )
