"""LD-3, a consultation-day burst, and the logins and report of bench/load.sh (issue 10, part 8).

    .venv/bin/python bench/burst.py prepare --members 50 --staff 20 --out logins.json
    .venv/bin/python bench/burst.py run --base URL --logins logins.json [--clients 20]
        [--petitions 200] [--seconds 600] [--out ld3.json]
    .venv/bin/python bench/burst.py report [--ld1 ld1_stats.csv] [--ld2 ld2_stats.csv]
        [--ld3 ld3.json] [--ld4 ld4_stats.csv --ld4-send send.json] --out load.json

prepare: on the database bench/load.sh filled, gives BENCH_USERS generated members (the
`bench-` logins of bench/generate.py, current members whose enterprise has petitions) and
BENCH_CLIENTS staff logins a password, and writes them with what the journeys open: each
member's own petitions and member id, the activities open for sign-up, and for the
staff's day (LD-2) 200 petitions picked at random and the newest stored monthly reports.

run: the burst. --clients staff clients (threads, one HTTP session each, logged in through
the login form) enter exactly --petitions petitions spread over --seconds: most through the
staff new-petition form (/petitions/staff/new/), five clients one batch each through the
batch intake (/petitions/staff/batch/), and each of those batches is posted a second time
with the same key, which must create nothing. While they post, `manage.py run_cycle daily
--date <today>` runs in its own process. Then it checks, in the database: 0 errors, exactly
--petitions new petitions and no title twice, every batch entered once, and the daily run's
figures against the petitions as they stand (see check_daily). Exit status 1 on any miss.

report: the tables of docs/performance.md from the locust runs (LD-1, LD-2 and LD-4: the
CSV, or the rows their quitting listener wrote, and its verdict) and the JSON of LD-3 and
of the digests' run (bench/digests_load.py), written together to --out. A check not given
keeps its section from --out as it was (each section has its date and data size).
"""

import argparse
import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-load-journey"
STAFF_PREFIX = "bench-load-staff-"
BATCH_CLIENTS = 5
BATCH_ROWS = 5
BASELINE = "/bench/bare/"
STAFF_PETITIONS = 200


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    django.setup()


# --- prepare -----------------------------------------------------------------------------


def prepare(members: int, staff: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q
    from django.utils import timezone

    from activities.models import Activity
    from chamber.models import User
    from members.models import Member
    from petitions.models import Petition, ReviewRun

    now = timezone.now()
    with_petitions = set(
        Petition.objects.values("enterprise_id")
        .annotate(n=Count("id"))
        .filter(n__gte=1)
        .values_list("enterprise_id", flat=True)
    )
    chosen = []
    for member in (
        Member.objects.filter(user__username__startswith="bench-", user__is_active=True)
        .select_related("user", "enterprise")
        .order_by("pk")
    ):
        if member.is_current and member.enterprise_id in with_petitions:
            chosen.append(member)
        if len(chosen) == members:
            break
    if len(chosen) < members:
        raise SystemExit(f"only {len(chosen)} generated members have petitions")
    hashed = make_password(PASSWORD)
    User.objects.filter(pk__in=[m.user_id for m in chosen]).update(password=hashed)
    own = {}
    for member in chosen:
        own[member.pk] = list(
            Petition.objects.filter(enterprise_id=member.enterprise_id)
            .order_by("-created_at")
            .values_list("pk", flat=True)[:5]
        )
    for n in range(1, staff + 1):
        User.objects.update_or_create(
            username=f"{STAFF_PREFIX}{n}",
            defaults={
                "full_name": f"接待员{n}",
                "email": f"{STAFF_PREFIX}{n}@example.com",
                "is_staff": True,
                "is_active": True,
                "password": hashed,
            },
        )
    activities = list(
        Activity.objects.filter(status=Activity.Status.PUBLISHED, starts_at__gt=now)
        .filter(Q(signup_opens_at__isnull=True) | Q(signup_opens_at__lte=now))
        .filter(Q(signup_closes_at__isnull=True) | Q(signup_closes_at__gt=now))
        .order_by("starts_at")
        .values_list("pk", flat=True)[:5]
    )
    if not activities:
        raise SystemExit("no activity is open for sign-up")
    # LD-2, the staff's day: petitions in every state (the staff page of each) and the
    # stored monthly reports, newest first.
    every = list(Petition.objects.order_by("pk").values_list("pk", flat=True))
    staff_petitions = random.Random(2).sample(every, min(STAFF_PETITIONS, len(every)))
    monthly = list(
        ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY)
        .order_by("-period_start")
        .values_list("pk", flat=True)[:12]
    )
    if not staff_petitions or not monthly:
        raise SystemExit("no petitions or no monthly report for the staff's day")
    return {
        "password": PASSWORD,
        "members": [
            {"username": m.user.username, "member": m.pk, "petitions": own[m.pk]}
            for m in chosen
        ],
        "staff": [f"{STAFF_PREFIX}{n}" for n in range(1, staff + 1)],
        "activities": activities,
        "staff_petitions": staff_petitions,
        "monthly_reports": monthly,
    }


# --- run ---------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([^"]+)"')


class Staff:
    """One staff client: a logged-in HTTP session that records every request."""

    def __init__(self, base: str, username: str, password: str, log: list, lock):
        import requests

        self.base, self.log, self.lock = base, log, lock
        self.http = requests.Session()
        page = self.get("/accounts/login/", "login form")
        self.post(
            "/accounts/login/",
            "login",
            {
                "csrfmiddlewaretoken": CSRF.search(page).group(1),
                "username": username,
                "password": password,
            },
            expect_redirect=True,
        )

    def _record(self, name, started, response, ok, note=""):
        with self.lock:
            self.log.append(
                {
                    "name": name,
                    "ms": (time.perf_counter() - started) * 1000,
                    "status": response.status_code if response is not None else None,
                    "ok": ok,
                    "note": note,
                }
            )

    def get(self, path: str, name: str) -> str:
        started = time.perf_counter()
        response = self.http.get(self.base + path, timeout=30)
        self._record(name, started, response, response.status_code == 200)
        return response.text

    def post(self, path, name, data, *, expect_redirect=False, expect_text=None) -> str:
        started = time.perf_counter()
        response = self.http.post(
            self.base + path,
            data=data,
            headers={"Referer": self.base + path},
            timeout=60,
            allow_redirects=False,
        )
        ok = (response.status_code in (302, 303)) if expect_redirect else True
        note = ""
        if expect_redirect and not ok:
            found = re.findall(
                r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>([^<]+)',
                response.text,
            )
            note = "; ".join(x.strip() for x in found)[:300]
        self._record(name, started, response, ok, note)
        if ok and expect_redirect:
            location = response.headers["Location"]
            follow = self.http.get(
                location if location.startswith("http") else self.base + location,
                timeout=30,
            )
            if expect_text is not None and expect_text not in follow.text:
                self._record(name + " (message)", started, follow, False, "no message")
            return follow.text
        return response.text


def staff_form(client: Staff, enterprise: int, title: str, n: int) -> None:
    page = client.get("/petitions/staff/new/", "staff form: open")
    client.post(
        "/petitions/staff/new/",
        "staff form: enter",
        {
            "csrfmiddlewaretoken": CSRF.search(page).group(1),
            "channel": "consultation_day",
            "enterprise": str(enterprise),
            "activity": "",
            "contact_name": "王经理",
            "contact_phone": f"139{n:08d}",
            "title": title,
            "description": "咨询日现场登记的诉求：融资、用地与用工问题，请协调相关部门答复。",
            "category": "",
        },
        expect_redirect=True,
    )


def batch_intake(client: Staff, enterprises: list[str], titles: list[str]) -> None:
    page = client.get(f"/petitions/staff/batch/?rows={len(titles)}", "batch: open")
    data = {
        "csrfmiddlewaretoken": CSRF.search(page).group(1),
        "key": KEY.search(page).group(1),
        "channel": "consultation_day",
        "activity": "",
        "source": "咨询日意见表",
        "rows-TOTAL_FORMS": str(len(titles)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
    }
    for i, (enterprise, title) in enumerate(zip(enterprises, titles, strict=True)):
        data.update(
            {
                f"rows-{i}-enterprise": enterprise,
                f"rows-{i}-contact_name": "李会计",
                f"rows-{i}-contact_phone": f"138{i:08d}",
                f"rows-{i}-title": title,
                f"rows-{i}-description": "意见表：希望简化审批流程，加快退税进度。",
                f"rows-{i}-category": "",
            }
        )
    client.post("/petitions/staff/batch/", "batch: enter", data, expect_redirect=True)
    # The same batch again (a double click, a second upload): the key creates nothing.
    client.post(
        "/petitions/staff/batch/",
        "batch: enter again (same key)",
        data,
        expect_redirect=True,
    )


def run(args) -> dict:
    setup_django()
    from django.utils import timezone

    from members.models import Enterprise
    from petitions.models import IntakeBatch, Petition, ReviewRun

    logins = json.loads(args.logins.read_text(encoding="utf-8"))
    enterprises = [
        e
        for e in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
        .exclude(credit_code="")
        .order_by("pk")
        .values_list("pk", "credit_code")
    ]
    tag = uuid.uuid4().hex[:6]
    today = timezone.localdate()
    before = Petition.objects.count()
    batches_before = IntakeBatch.objects.count()
    if ReviewRun.objects.filter(kind=ReviewRun.Kind.DAILY, period_start=today).exists():
        raise SystemExit(
            f"the daily study of {today} has run already: run LD-3 on fresh data"
        )

    # Work for each client: the batch clients one batch of BATCH_ROWS and forms for the
    # rest of their share; the shares add up to exactly --petitions.
    share = [args.petitions // args.clients] * args.clients
    for i in range(args.petitions % args.clients):
        share[i] += 1
    plans = []
    counter = 0
    for c in range(args.clients):
        actions = []
        n = share[c]
        if c < BATCH_CLIENTS and n > BATCH_ROWS:
            rows = [f"LD3-{tag} #{counter + k:03d}" for k in range(BATCH_ROWS)]
            counter += BATCH_ROWS
            actions.append(("batch", rows))
            n -= BATCH_ROWS
        for _ in range(n):
            actions.append(("form", f"LD3-{tag} #{counter:03d}"))
            counter += 1
        random.Random(c).shuffle(actions)
        plans.append(actions)
    assert counter == args.petitions

    log, lock, errors = [], threading.Lock(), []
    rng = random.Random(10)
    start_at = time.perf_counter() + 5

    def client(c: int) -> None:
        try:
            staff = Staff(args.base, logins["staff"][c], logins["password"], log, lock)
            actions = plans[c]
            gap = args.seconds / len(actions)
            for k, (kind, what) in enumerate(actions):
                due = start_at + gap * k + rng.uniform(0, gap * 0.8)
                time.sleep(max(0.0, due - time.perf_counter()))
                pick = enterprises[(c * 37 + k * 11) % len(enterprises)]
                if kind == "form":
                    staff_form(staff, pick[0], what, c * 1000 + k)
                else:
                    codes = [
                        enterprises[(c * 37 + k * 11 + j * 5) % len(enterprises)][1]
                        for j in range(len(what))
                    ]
                    batch_intake(staff, codes, what)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            with lock:
                errors.append(f"client {c}: {exc!r}")

    threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    # The daily study, in its own process, a third of the way into the window.
    time.sleep(max(0.0, start_at + args.seconds / 3 - time.perf_counter()))
    daily_started = time.perf_counter()
    daily = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_cycle",
            "daily",
            "--date",
            today.isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    daily_s = time.perf_counter() - daily_started
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall - 5

    new = Petition.objects.filter(title__startswith=f"LD3-{tag} ")
    titles = list(new.values_list("title", flat=True))
    failures = [row for row in log if not row["ok"]]
    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "clients": args.clients,
        "petitions_planned": args.petitions,
        "window_s": args.seconds,
        "wall_s": round(wall, 1),
        "requests": len(log),
        "failed_requests": len(failures),
        "failures": failures[:20],
        "client_errors": errors,
        "petitions_created": len(titles),
        "petitions_total_delta": Petition.objects.count() - before,
        "duplicate_titles": len(titles) - len(set(titles)),
        "batches_created": IntakeBatch.objects.count() - batches_before,
        "batches_posted": sum(1 for p in plans for a in p if a[0] == "batch"),
        "by_channel": {
            "staff form": sum(1 for p in plans for a in p if a[0] == "form"),
            "batch intake": sum(len(a[1]) for p in plans for a in p if a[0] == "batch"),
        },
        "latency": latency(log),
        "daily": {
            "date": today.isoformat(),
            "exit": daily.returncode,
            "seconds": round(daily_s, 2),
            "output": (daily.stdout + daily.stderr).strip()[-2000:],
            "checks": check_daily(today, tag),
        },
    }
    checks = result["daily"]["checks"]
    result["pass"] = (
        not failures
        and not errors
        and daily.returncode == 0
        and result["petitions_created"] == args.petitions
        and result["petitions_total_delta"] == args.petitions
        and result["duplicate_titles"] == 0
        and result["batches_created"] == result["batches_posted"]
        and all(c["ok"] for c in checks)
    )
    return result


def latency(log: list) -> dict:
    out = {}
    for name in sorted({row["name"] for row in log}):
        ms = sorted(row["ms"] for row in log if row["name"] == name)
        out[name] = {
            "n": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
            "max_ms": round(ms[-1], 1),
        }
    return out


def check_daily(today, tag: str) -> list[dict]:
    """The daily run's figures against the petitions as they stand after the burst."""
    from chamber import workdays
    from petitions.models import Petition, PetitionEvent, ReviewRun

    S = Petition.Status
    checks = []

    def check(name, ok, detail=""):
        checks.append({"check": name, "ok": bool(ok), "detail": str(detail)})

    runs = list(ReviewRun.objects.filter(kind=ReviewRun.Kind.DAILY, period_start=today))
    check("one daily run for the day", len(runs) == 1, len(runs))
    if len(runs) != 1:
        return checks
    run = runs[0]
    report = run.report or {}
    check("the run finished", run.finished_at is not None, run.finished_at)
    for key in (
        "intake",
        "untriaged",
        "due_next_working_day",
        "newly_supervised",
        "closed_without_rating",
    ):
        check(
            f"stats.{key} == len(report.{key})",
            run.stats.get(key) == len(report.get(key, [])),
            f"{run.stats.get(key)} / {len(report.get(key, []))}",
        )
    previous = workdays.last_working_day_before(today)
    intake = list(
        Petition.objects.filter(
            created_at__gte=workdays.start_of_day(previous),
            created_at__lt=workdays.start_of_day(today),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    check(
        "intake = petitions received on the working day before",
        intake == report.get("intake"),
        f"{len(intake)} now / {len(report.get('intake', []))} in the run",
    )
    burst = set(
        Petition.objects.filter(title__startswith=f"LD3-{tag} ").values_list(
            "pk", flat=True
        )
    )
    touched = burst & set().union(
        *(set(report.get(k, [])) for k in report if isinstance(report.get(k), list))
    )
    check("no petition of the burst in the run", not touched, sorted(touched)[:10])
    flagged = set(report.get("untriaged", []))
    check(
        "untriaged: all flagged today",
        Petition.objects.filter(pk__in=flagged, triage_flagged_on=today).count()
        == len(flagged),
        len(flagged),
    )
    left = Petition.objects.filter(
        status=S.SUBMITTED,
        triage_flagged_on__isnull=True,
        awaiting_triage_since__lt=workdays.start_of_day(previous),
    ).count()
    check("untriaged: none left unflagged", left == 0, left)
    supervised = set(report.get("newly_supervised", []))
    check(
        "supervised: all marked today",
        Petition.objects.filter(pk__in=supervised, supervised_on=today).count()
        == len(supervised),
        len(supervised),
    )
    overdue_left = Petition.objects.filter(
        status__in=Petition.WITH_DEPARTMENT,
        department_replied_at__isnull=True,
        due_on__lt=today,
        supervised_on__isnull=True,
    ).count()
    check(
        "supervised: no overdue petition left unsupervised",
        overdue_left == 0,
        overdue_left,
    )
    for key, kind in (
        ("untriaged", PetitionEvent.Kind.TRIAGE_FLAG),
        ("due_next_working_day", PetitionEvent.Kind.REMINDER),
        ("newly_supervised", PetitionEvent.Kind.SUPERVISION),
    ):
        pks = report.get(key, [])
        events = PetitionEvent.objects.filter(
            petition_id__in=pks, kind=kind, created_at__gte=run.started_at
        ).count()
        check(
            f"{key}: one {kind} event each",
            events == len(pks),
            f"{events} / {len(pks)}",
        )
    closed = report.get("closed_without_rating", [])
    check(
        "closed without rating: closed, rating none",
        Petition.objects.filter(
            pk__in=closed, status=S.CLOSED, rating=Petition.Rating.NONE
        ).count()
        == len(closed),
        len(closed),
    )
    # Once per day: a second run changes nothing.
    events_before = PetitionEvent.objects.count()
    again = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_cycle",
            "daily",
            "--date",
            today.isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    check(
        "run again: same run, no new event",
        again.returncode == 0
        and f"run {run.pk}," in again.stdout
        and PetitionEvent.objects.count() == events_before,
        again.stdout.strip()[:200],
    )
    return checks


# --- report ------------------------------------------------------------------------------


def ld1_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        if not row["Name"] and row["Type"] != "":
            continue
        # LD-4 empties the statistics once the members are logged in: the logins stay
        # in the CSV with no request and no percentiles.
        if row["Name"] and not int(row["Request Count"]):
            continue
        out.append(
            {
                "type": row["Type"],
                "name": row["Name"] or "Aggregated",
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["Median Response Time"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": float(row["Max Response Time"]),
                "rps": float(row["Requests/s"]),
            }
        )
    return out


def locust_rows(stats) -> list[dict]:
    """The rows of locust's stats CSV, from its statistics as they stand (the CSV file is
    rewritten once a second, so it may miss the last requests): for the quitting
    listeners of bench/locustfile_staff.py and bench/locustfile_digests.py."""
    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    out = []
    for entry in [*entries, stats.total]:
        if not entry.num_requests:
            continue
        out.append(
            {
                "type": entry.method or "",
                "name": entry.name if entry is not stats.total else "Aggregated",
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "median_ms": float(entry.median_response_time),
                "p95_ms": float(entry.get_response_time_percentile(0.95)),
                "p99_ms": float(entry.get_response_time_percentile(0.99)),
                "max_ms": float(entry.max_response_time),
                "rps": float(entry.total_rps),
            }
        )
    return out


def locust_section(stats: Path, summary: Path | None, **extra) -> dict:
    """A locust run: its rows (with the ratio to the baseline) and its verdict's JSON; the
    rows the verdict wrote if it did, else those of the CSV."""
    verdict = (
        json.loads(summary.read_text(encoding="utf-8"))
        if summary and summary.exists()
        else {}
    )
    rows = verdict.pop("rows", None) or ld1_rows(stats)
    base = next((r for r in rows if r["name"] == "bare (baseline)"), None)
    agg = next(r for r in rows if r["name"] == "Aggregated")
    for r in rows:
        if base:
            r["p50_ratio"] = round(r["median_ms"] / max(base["median_ms"], 0.1), 1)
            r["p95_ratio"] = round(r["p95_ms"] / max(base["p95_ms"], 0.1), 1)
    return {
        **extra,
        "requests": agg["requests"],
        "failures": agg["failures"],
        "fail_ratio": agg["failures"] / max(agg["requests"], 1),
        "verdict": verdict,
        "rows": rows,
        "pass": extra.get("exit") == 0,
    }


def read_json(path: Path | None) -> dict | None:
    return (
        json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else None
    )


def report(args) -> dict:
    """load.json: the sections of this run; those of checks not run now are kept from the
    file as it was (each section carries its own date and data size)."""
    from datetime import UTC, datetime

    previous = read_json(args.out) or {}
    result = {k: previous.get(k) for k in ("ld1", "ld2", "ld3", "ld4")}
    stamp = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "petitions": args.petitions,
        "gunicorn_workers": args.workers,
    }
    if args.ld1 and args.ld1.exists():
        section = locust_section(
            args.ld1,
            args.ld1_summary,
            users=args.users,
            run_time=args.ld1_time,
            exit=args.ld1_exit,
            **stamp,
        )
        # the name LD-1's tables and docs/performance.md have used
        section["journey"] = section.pop("verdict")
        result["ld1"] = section
    if args.ld2 and args.ld2.exists():
        result["ld2"] = locust_section(
            args.ld2,
            args.ld2_summary,
            users=args.ld2_users,
            run_time=args.ld2_time,
            exit=args.ld2_exit,
            **stamp,
        )
    if args.ld3 and args.ld3.exists():
        result["ld3"] = {**stamp, **json.loads(args.ld3.read_text(encoding="utf-8"))}
    if args.ld4 and args.ld4.exists():
        section = locust_section(
            args.ld4,
            args.ld4_summary,
            users=args.ld4_users,
            exit=args.ld4_exit,
            **stamp,
        )
        section["digests"] = read_json(args.ld4_send)
        section["prepare"] = read_json(args.ld4_prepare)
        result["ld4"] = section
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print_tables(result)
    return result


def locust_table(rows: list[dict]) -> None:
    print(
        "| request | n | req/s | failures | p50 ms | p95 ms | p99 ms | max ms | p50 / bare | p95 / bare |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(
            f"| {r['name']} | {r['requests']} | {r['rps']:.1f} | {r['failures']} "
            f"| {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} "
            f"| {r.get('p50_ratio', '-')} | {r.get('p95_ratio', '-')} |"
        )
    print()


def print_tables(result: dict) -> None:
    ld1 = result.get("ld1")
    if ld1:
        print(
            f"LD-1: {ld1['users']} users, {ld1['run_time']}, {ld1['gunicorn_workers']} workers: "
            f"{ld1['requests']} requests, {ld1['failures']} failures, exit {ld1['exit']}; "
            f"journey (baseline left out) {ld1['journey']}"
        )
        print()
        locust_table(ld1["rows"])
    ld2 = result.get("ld2")
    if ld2:
        v = ld2["verdict"]
        print(
            f"LD-2: {ld2['users']} staff, {ld2['run_time']}, {ld2['gunicorn_workers']} workers, "
            f"{ld2.get('petitions')} petitions: {ld2['requests']} requests, "
            f"{ld2['failures']} failures, exit {ld2['exit']}, pass {ld2['pass']}"
        )
        print()
        print("| requests | n | p50 ms | p95 ms | p99 / max ms | limit | result |")
        print("|---|--:|--:|--:|--:|---|---|")
        if v:
            print(
                f"| pages and reports | {v['pages_requests']} | {v['pages_p50_ms']:.0f} "
                f"| {v['pages_p95_ms']:.0f} | {v['pages_p99_ms']:.0f} "
                f"| p95 < {v['pages_p95_limit_ms']:,} ms "
                f"| {'pass' if v['pages_p95_ms'] < v['pages_p95_limit_ms'] else '**FAIL**'} |"
            )
            print(
                f"| Excel exports | {v['exports']} | {v['exports_p50_ms']:.0f} "
                f"| {v['exports_p95_ms']:.0f} | {v['exports_max_ms']:.0f} (max) "
                f"| every one < {v['export_limit_ms']:,} ms "
                f"| {'pass' if v['exports'] and v['exports_max_ms'] < v['export_limit_ms'] else '**FAIL**'} |"
            )
        print()
        locust_table(ld2["rows"])
    ld3 = result.get("ld3")
    if ld3:
        print(
            f"LD-3: {ld3['clients']} clients, {ld3['petitions_created']} petitions "
            f"({ld3['petitions_total_delta']} new in all, {ld3['duplicate_titles']} duplicates), "
            f"{ld3['batches_created']} batches for {ld3['batches_posted']} posted twice, "
            f"{ld3['failed_requests']} failed requests of {ld3['requests']}, "
            f"wall {ld3['wall_s']} s; daily {ld3['daily']['date']}: exit {ld3['daily']['exit']}, "
            f"{ld3['daily']['seconds']} s; pass {ld3['pass']}"
        )
        print()
        print("| request | n | p50 ms | p95 ms | max ms |")
        print("|---|--:|--:|--:|--:|")
        for name, r in ld3["latency"].items():
            print(
                f"| {name} | {r['n']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} |"
            )
        print()
        print(ld3["daily"]["output"])
        for c in ld3["daily"]["checks"]:
            print(f"- {'ok' if c['ok'] else 'FAIL'}: {c['check']} ({c['detail']})")
        print()
    ld4 = result.get("ld4")
    if ld4:
        v, d, prep = ld4["verdict"], ld4.get("digests") or {}, ld4.get("prepare") or {}
        print(
            f"LD-4: the week's digests for {prep.get('officials')} officials "
            f"({prep.get('officials_added')} added), worker concurrency "
            f"{d.get('worker_concurrency')}, while {ld4['users']} members use the portal "
            f"({ld4['gunicorn_workers']} gunicorn workers): exit {ld4['exit']}, pass {ld4['pass']}"
        )
        print()
        print("| figure | value | target | result |")
        print("|---|--:|---|---|")

        def line(name, value, target, ok):
            print(f"| {name} | {value} | {target} | {'pass' if ok else '**FAIL**'} |")

        planned = d.get("planned")
        statuses = d.get("statuses", {})
        line("digests planned", planned, "", bool(planned))
        line(
            "sent / nothing to send / failed",
            f"{statuses.get('sent', 0)} / {statuses.get('nothing', 0)} / {statuses.get('failed', 0)}",
            "none failed",
            not statuses.get("failed") and not statuses.get("pending"),
        )
        line(
            "digests received by the sink (duplicates)",
            f"{d.get('sink_digests')} ({d.get('duplicates')})",
            "one per sent digest",
            d.get("checks", {}).get("one message per sent digest")
            and d.get("checks", {}).get("sink digests == sent"),
        )
        line(
            "all sent after (s)",
            d.get("all_sent_s"),
            f"< {d.get('limit_s', 300):.0f} s",
            d.get("checks", {}).get(f"under {d.get('limit_s', 300):.0f} s"),
        )
        line("throughput (digests/s)", d.get("digests_per_s"), "", True)
        line(
            "per digest in the worker, median / p90 (ms)",
            f"{(d.get('per_digest_ms') or {}).get('median')} / {(d.get('per_digest_ms') or {}).get('p90')}",
            "",
            True,
        )
        line(
            f"queries per digest (sample of {prep.get('sample')}, listing "
            f"{prep.get('petitions_listed')} petitions)",
            prep.get("queries_by_kind"),
            "one count per kind (CF-7)",
            all(len(q) == 1 for q in (prep.get("queries_by_kind") or {}).values()),
        )
        if v:
            line(
                f"web: requests in the send window ({v['window_s']} s), failures",
                f"{v['web_requests']}, {v['failures']}",
                "0 failures",
                v["failures"] == 0,
            )
            line(
                "web p50 / p95 / p99 (ms, baseline left out)",
                f"{v['web_p50_ms']:.0f} / {v['web_p95_ms']:.0f} / {v['web_p99_ms']:.0f}",
                f"p95 < {v['p95_limit_ms']} ms",
                v["web_p95_ms"] < v["p95_limit_ms"],
            )
        print()
        print(f"CPU cores during the send: {d.get('cpu_cores')}")
        print()
        locust_table(ld4["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--staff", type=int, default=20)
    p.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("--base", required=True)
    r.add_argument("--logins", type=Path, required=True)
    r.add_argument("--clients", type=int, default=20)
    r.add_argument("--petitions", type=int, default=200)
    r.add_argument("--seconds", type=float, default=600)
    r.add_argument("--out", type=Path)
    rep = sub.add_parser("report")
    rep.add_argument("--ld1", type=Path)
    rep.add_argument("--ld1-summary", type=Path)
    rep.add_argument("--ld1-exit", type=int, default=0)
    rep.add_argument("--ld1-time", default="")
    rep.add_argument("--users", type=int, default=50)
    rep.add_argument("--workers", type=int, default=0)
    rep.add_argument("--ld2", type=Path)
    rep.add_argument("--ld2-summary", type=Path)
    rep.add_argument("--ld2-exit", type=int, default=0)
    rep.add_argument("--ld2-time", default="")
    rep.add_argument("--ld2-users", type=int, default=10)
    rep.add_argument("--ld3", type=Path)
    rep.add_argument("--ld4", type=Path, help="the locust CSV of the send window")
    rep.add_argument("--ld4-summary", type=Path)
    rep.add_argument("--ld4-exit", type=int, default=0)
    rep.add_argument("--ld4-users", type=int, default=20)
    rep.add_argument("--ld4-send", type=Path)
    rep.add_argument("--ld4-prepare", type=Path)
    rep.add_argument("--scale", type=int)
    rep.add_argument("--petitions", type=int)
    rep.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    if args.command == "prepare":
        setup_django()
        data = prepare(args.members, args.staff)
        args.out.write_text(
            json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        print(
            f"{len(data['members'])} members, {len(data['staff'])} staff, "
            f"activities {data['activities']}",
            file=sys.stderr,
        )
    elif args.command == "run":
        args.base = args.base.rstrip("/")
        result = run(args)
        if args.out:
            args.out.write_text(
                json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
        print_tables({"ld3": result})
        sys.exit(0 if result["pass"] else 1)
    else:
        report(args)


if __name__ == "__main__":
    main()
