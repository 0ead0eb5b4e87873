"""LD-4: the week's digests through a real worker, timed, for bench/load.sh (issue 10).

    .venv/bin/python bench/digests_load.py prepare --officials 200 [--sample 20] [--out FILE]
    .venv/bin/python bench/digests_load.py send --sink-log FILE --worker-pid PID --sink-pid PID
        [--concurrency N] [--timeout 300] [--out FILE]

prepare: on the database bench/load.sh filled, officials are added (bench/publicity.py's
`officials`: spread over the departments, one in nine reading English, some with the
week's policies off) until --officials of them would get a digest, the digests seed_demo's
weekly dispatch planned are deleted (the run plans this week's from nothing), and, in one
transaction rolled back, the week is planned and a sample of digests built and sent with
the in-memory backend (bench/publicity.py's `build`: planning writes them to the outbox,
its sender sends them): the queries of each, which must not depend on the official or on
the petitions listed (CF-7; a digest without the week's policies reads one query less).

send: with the worker running (EMAIL_HOST and EMAIL_PORT at the sink of `publicity.py
sink`), enqueues publicity.tasks.plan_weekly_digests for this week through Redis and
waits until every delivery of the week is settled (its outbox message sent or failed,
or nothing to send). Then it checks: every delivery sent (or "nothing to send any
more"), none failed, the sink received exactly one message for each sent delivery and
none for an official who was not planned, and all of it within
--timeout (CHECKS.md LD-4: under 5 minutes). Throughput: digests sent per second from
the enqueue to the last one sent. Exit status 1 on any miss. bench/locustfile_digests.py
runs it while the members' journey goes on.
"""

import argparse
import json
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import publicity  # noqa: E402


def database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def prepare(args) -> dict:
    from django.db import connection, transaction

    from chamber.models import Official
    from publicity.models import DigestDelivery

    started = time.perf_counter()
    with transaction.atomic():
        added = publicity.officials(args.officials)
        # seed_demo's weekly dispatch planned the demo's digests: this run plans its own.
        DigestDelivery.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = publicity.build(args.sample, args.sends)
    queries = sorted({row["queries"] for row in built["digests"]})
    # A department digest without the week's policies reads one query less; beyond that
    # the count must not depend on the official or on how many petitions are listed.
    by_kind, listed = (
        {},
        [
            row["petitions_listed"]
            for row in built["digests"]
            if row["petitions_listed"]
        ],
    )
    for row in built["digests"]:
        kind = row["kind"]
        if kind == "department" and not row["include_articles"]:
            kind += " (policies off)"
        by_kind.setdefault(kind, set()).add(row["queries"])
    result = {
        "officials_added": added,
        "officials": Official.objects.filter(
            is_active=True, user__is_active=True, department__isnull=False
        )
        .exclude(user__email="")
        .count(),
        "plan": built["plan"],
        "sample": len(built["digests"]),
        "queries_per_digest": queries,
        "queries_by_kind": {k: sorted(v) for k, v in by_kind.items()},
        "petitions_listed": [min(listed), max(listed)] if listed else None,
        "task_queries": sorted({t["queries"] for t in built["task"]}),
        "build_ms_median": publicity.median(r["build_ms"] for r in built["digests"]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"  {json.dumps(result, ensure_ascii=False)}", file=sys.stderr)
    return result


def send(args) -> dict:
    from django.utils import timezone

    from bench import load as driver
    from publicity import tasks
    from publicity.models import DigestDelivery

    # RunMeter counts the PostgreSQL backends of the database called "bench".
    ours, original = database_name(), driver.postgres_database

    def renamed(pid):
        name = original(pid)
        if name == ours:
            return "bench"
        return "other-bench" if name == "bench" else name

    driver.postgres_database = renamed
    week = publicity.week_start()
    weekly = DigestDelivery.objects.filter(week_start=week)
    if weekly.exists():
        raise SystemExit(f"digests of {week} exist already")
    sink_log = Path(args.sink_log)

    def received() -> list[dict]:
        if not sink_log.exists():
            return []
        return [json.loads(line) for line in sink_log.read_text().splitlines()]

    before = len(received())
    timeline = []
    done = False
    with publicity.RunMeter(args.worker_pid, args.sink_pid) as meter:
        t0 = time.time()
        tasks.plan_weekly_digests.delay(week.isoformat())
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            counts = publicity.delivery_counts(weekly)
            timeline.append(
                {
                    "s": round(time.time() - t0, 2),
                    **counts,
                    "received": len(received()) - before,
                }
            )
            if counts and set(counts) <= set(publicity.SETTLED):
                done = True
                break
            time.sleep(args.poll)
        # the last message may still be on its way from the worker to the sink's log
        wait_sink = time.monotonic() + 5
        sent = weekly.filter(message__status="sent").count()
        while time.monotonic() < wait_sink and len(received()) - before < sent:
            time.sleep(0.1)
    elapsed = time.time() - t0

    rows = publicity.delivery_rows(weekly)
    planned = Counter(r["official__user__email"] for r in rows)
    sent_to = Counter(r["official__user__email"] for r in rows if r["status"] == "sent")
    messages = received()[before:]
    recipients = Counter(a for m in messages for a in m["to"])
    digest_messages = sum(n for a, n in recipients.items() if a in planned)
    statuses = Counter(r["status"] for r in rows)
    start = datetime.fromtimestamp(t0, tz=timezone.get_current_timezone())
    last_sent = max((r["sent_at"] for r in rows if r["sent_at"]), default=None)
    all_sent_s = round((last_sent - start).total_seconds(), 2) if last_sent else None
    per_digest = [
        (r["sent_at"] - r["claimed_at"]).total_seconds() * 1000
        for r in rows
        if r["status"] == "sent" and r["claimed_at"] and r["sent_at"]
    ]
    checks = {
        "all done in time": done,
        "some digests sent": statuses.get("sent", 0) > 0,
        "none failed": statuses.get("failed", 0) == 0,
        "one message per sent digest": all(
            recipients.get(a, 0) == n for a, n in sent_to.items()
        ),
        "sink digests == sent": digest_messages == sum(sent_to.values()),
        "nothing to a recipient not planned": all(
            recipients.get(a, 0) == 0 for a in planned if a not in sent_to
        ),
        f"under {args.limit:.0f} s": all_sent_s is not None and all_sent_s < args.limit,
    }
    result = {
        "week_start": week.isoformat(),
        "worker_concurrency": args.concurrency,
        "planned": len(rows),
        "by_kind": dict(Counter(r["kind"] for r in rows)),
        "statuses": dict(statuses),
        "retried": sum(1 for r in rows if r["attempts"] > 1),
        "sink_messages": len(messages),
        "sink_digests": digest_messages,
        "duplicates": sum(n - 1 for a, n in recipients.items() if n > 1),
        "all_sent_s": all_sent_s,
        "wall_s": round(elapsed, 2),
        "limit_s": args.limit,
        "digests_per_s": round(statuses.get("sent", 0) / all_sent_s, 1)
        if all_sent_s
        else None,
        "per_digest_ms": {
            "median": publicity.median(per_digest),
            "p90": publicity.percentile(per_digest, 0.9),
            "max": round(max(per_digest), 1) if per_digest else None,
        },
        "cpu_seconds": meter.seconds,
        "cpu_cores": meter.cores,
        "checks": checks,
        "pass": all(checks.values()),
        "timeline": timeline[-20:],
    }
    print(
        f"  LD-4 digests: {statuses.get('sent', 0)} of {len(rows)} sent "
        f"({dict(statuses)}), sink {digest_messages} digests, {result['duplicates']} "
        f"duplicates; all sent at {all_sent_s} s ({result['digests_per_s']}/s); "
        f"pass {result['pass']}",
        file=sys.stderr,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--officials", type=int, default=200)
    p.add_argument("--sample", type=int, default=20)
    p.add_argument("--sends", type=int, default=10)
    p.add_argument("--out", type=Path)
    s = sub.add_parser("send")
    s.add_argument("--sink-log", type=Path, required=True)
    s.add_argument("--worker-pid", type=int, required=True)
    s.add_argument("--sink-pid", type=int, required=True)
    s.add_argument("--concurrency", type=int)
    s.add_argument("--timeout", type=float, default=600)
    s.add_argument("--limit", type=float, default=300)
    s.add_argument("--poll", type=float, default=0.25)
    s.add_argument("--out", type=Path)
    args = parser.parse_args()

    publicity.setup_django()
    if args.command == "prepare":
        publicity.write_json(args.out, prepare(args))
    else:
        result = send(args)
        publicity.write_json(args.out, result)
        sys.exit(0 if result["pass"] else 1)


if __name__ == "__main__":
    main()
