"""The outbox: 10,000 queued messages through a real worker, and pages with Redis stopped (issue 17).

    .venv/bin/python bench/outbox.py data [--messages 10000] [--out FILE]
    .venv/bin/python bench/outbox.py sink --port-file FILE --log FILE
    .venv/bin/python bench/outbox.py send --sink-log FILE --worker-pid PID --sink-pid PID [--batch 500] [--out FILE]
    .venv/bin/python bench/outbox.py sessions --out FILE
    .venv/bin/python bench/outbox.py load --base URL --sessions FILE --redis up|down [--out FILE]
    .venv/bin/python bench/outbox.py report [FILE]

bench/outbox.sh runs them in that order, with the environment of bench/lib.sh
(PostgreSQL database `bench_outbox`, Redis broker, DEBUG off, gunicorn).

data: on a database bench/generate.py has filled, deletes the outbox rows the demo
wrote, renders one real dispatch notice (petition-dispatched, in Chinese, for a demo
official) and writes --messages rows of it to distinct addresses, queued and due a
few minutes ago, as a broker that was down at commit leaves them (no task asked for
any). Times the INSERTs, then the sweep's query at this size (its SQL and, on
PostgreSQL, EXPLAIN ANALYZE), with the enqueueing left out.

sink: an SMTP server (aiosmtpd) on a free port of 127.0.0.1 that accepts everything and
writes one JSON line per message (arrival time, recipients, Message-ID, size); it
writes its port to --port-file and runs until SIGTERM.

send: with a real Celery worker running (EMAIL_HOST and EMAIL_PORT at the sink), runs
the sweep (chamber.outbox.sweep, beat's every minute) in a loop: each sweep asks the
worker for up to --batch due messages (the outbox's own SWEEP_BATCH, 500, by default),
and the next sweep comes once that batch has been claimed, where beat would wait for
the next minute. Stops when nothing is due or being sent. Reports messages per second,
the time per message in the worker (claim to sent), the sweeps, what the sink received
(duplicates by Message-ID and by address) and the CPU of the worker, PostgreSQL,
Redis, the sink and the rest of the machine.

sessions: the demo member's session (written to the database and the cache while
Redis is up) and the pages `load` measures, as JSON.

load: wrk on the bare view, `/`, `/news/`, `/accounts/login/` and a member's
`/petitions/` against the running gunicorn, through bench/petitions.py's `load`
(bench/load.py's functions); --redis says whether the Redis of the cache and broker
was up or stopped meanwhile, and /healthz's answer is recorded with it.

report: the tables of docs/performance.md, section "The outbox", from the results.
"""

import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import petitions as bench_petitions  # noqa: E402
from bench import publicity as bench_publicity  # noqa: E402
from bench.pages import url_safe  # noqa: E402

DATABASE = "bench_outbox"
KEY = "bench-outbox"
BASELINE = "/bench/bare/"
LOGINS = {"member": "demo-member"}
PAGES = [
    (BASELINE, "anonymous", "baseline"),
    ("/", "anonymous", "public"),
    ("/news/", "anonymous", "public"),
    ("/accounts/login/", "anonymous", "public"),
    ("/petitions/", "member", "info"),
]

median = bench_publicity.median
percentile = bench_publicity.percentile
write_json = bench_publicity.write_json


def setup_django() -> None:
    bench_petitions.setup_django()


def bench_messages():
    from chamber.models import OutgoingMessage

    return OutgoingMessage.objects.filter(key__startswith=f"{KEY}:")


# --- data -----------------------------------------------------------------------------------


def data(args) -> dict:
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone

    from chamber.emails import make_message
    from chamber.models import Official, OutgoingMessage
    from petitions.models import Petition

    if connection.settings_dict["NAME"] != DATABASE:
        raise SystemExit(f"data writes only to the database {DATABASE}")
    M = OutgoingMessage.Status
    petition = (
        Petition.objects.filter(status__in=Petition.WITH_DEPARTMENT)
        .select_related("department", "category")
        .order_by("pk")
        .first()
    )
    official = (
        Official.objects.filter(department_id=petition.department_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    user = official.user
    started = time.perf_counter()
    email = make_message(
        "petition-dispatched",
        [user.email],
        {
            "recipient": user,
            "petition": petition,
            "path": reverse("petitions:department_detail", args=[petition.pk]),
        },
        user.language,
    )
    render_ms = (time.perf_counter() - started) * 1000
    html = next(body for body, kind in email.alternatives if kind == "text/html")
    due = timezone.now() - timedelta(minutes=5)
    rows = [
        OutgoingMessage(
            key=f"{KEY}:{n}",
            kind="petition-dispatched",
            user=user,
            address=f"{KEY}-{n:05d}@example.com",
            subject=email.subject,
            body_text=email.body,
            body_html=html,
            created_at=due,
            next_try_at=due,
        )
        for n in range(1, args.messages + 1)
    ]
    with transaction.atomic():
        # The demo's waiting messages would be swept too: the run sends only its own
        # (cancelled, not deleted: the digests' rows refer to theirs).
        cancelled = (
            OutgoingMessage.objects.exclude(key__startswith=f"{KEY}:")
            .filter(status__in=(M.QUEUED, M.SENDING))
            .update(status=M.CANCELLED)
        )
        bench_messages().delete()
        started = time.perf_counter()
        OutgoingMessage.objects.bulk_create(rows, batch_size=1000)
        insert_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE chamber_outgoingmessage")

    sweep = sweep_query()
    result = {
        "messages": len(rows),
        "demo_messages_cancelled": cancelled,
        "render_ms": round(render_ms, 1),
        "insert_s": round(insert_s, 2),
        "subject": email.subject,
        "bytes_text": len(email.body.encode()),
        "bytes_html": len(html.encode()),
        "sweep": sweep,
    }
    print(
        f"  {len(rows)} messages queued in {insert_s:.2f} s ({cancelled} demo rows "
        f"cancelled)",
        file=sys.stderr,
    )
    return result


def sweep_query() -> dict:
    """The sweep's query as it stands (without asking for senders): queries, time, rows
    found and, on PostgreSQL, its plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chamber import outbox, tasks

    real_enqueue = tasks.enqueue
    tasks.enqueue = lambda task, *args, **kwargs: None
    try:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            due = outbox.sweep()
            ms = (time.perf_counter() - started) * 1000
    finally:
        tasks.enqueue = real_enqueue
    sql = [q["sql"] for q in captured.captured_queries]
    plan = []
    if connection.vendor == "postgresql" and sql:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql[0])
            plan = [line for (line,) in cursor.fetchall()]
    print(
        f"  the sweep: {len(sql)} query, {ms:.1f} ms, {len(due)} found of "
        f"{outbox.SWEEP_BATCH} at most",
        file=sys.stderr,
    )
    for line in plan:
        print(f"    {line}", file=sys.stderr)
    return {
        "queries": len(sql),
        "ms": round(ms, 1),
        "found": len(due),
        "batch": outbox.SWEEP_BATCH,
        "sql": sql,
        "plan": plan,
    }


# --- the SMTP sink --------------------------------------------------------------------------


def sink(port_file: Path, log_path: Path) -> None:
    """Accept every message on a free port of 127.0.0.1; one JSON line per message."""
    from email import policy
    from email.parser import BytesHeaderParser

    from aiosmtpd.controller import Controller

    class AnyPort(Controller):
        # Port 0: the system picks a free port, read back once the server listens.
        def _trigger_server(self):
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    log = log_path.open("a", encoding="utf-8", buffering=1)
    headers = BytesHeaderParser(policy=policy.default)

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            parsed = headers.parsebytes(envelope.content)
            log.write(
                json.dumps(
                    {
                        "t": time.time(),
                        "to": list(envelope.rcpt_tos),
                        "id": str(parsed["Message-ID"] or ""),
                        "bytes": len(envelope.content),
                    }
                )
                + "\n"
            )
            return "250 OK"

    # Blocked before the server's thread starts, so that only sigwait below takes them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = AnyPort(Handler(), hostname="127.0.0.1", port=0)
    controller.start()
    partial = port_file.with_suffix(".tmp")
    partial.write_text(str(controller.port))
    partial.rename(port_file)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    log.close()


# --- the messages through a real worker -----------------------------------------------------


def send(args) -> dict:
    """Sweep in a loop until the worker has sent every message; read the sink's log."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from bench import load as driver
    from chamber import outbox
    from chamber.models import OutgoingMessage

    M = OutgoingMessage.Status
    original = driver.postgres_database

    def database(pid):
        name = original(pid)
        if name == DATABASE:
            return "bench"
        return "other-bench" if name == "bench" else name

    driver.postgres_database = database
    outbox.SWEEP_BATCH = args.batch
    messages = bench_messages()
    total = messages.count()
    if not total or messages.exclude(status=M.QUEUED).exists():
        raise SystemExit("run `outbox.py data` first: the messages must all be queued")
    sink_log = Path(args.sink_log)

    def received_lines() -> list[str]:
        return (
            sink_log.read_text(encoding="utf-8").splitlines()
            if sink_log.exists()
            else []
        )

    received_before = len(received_lines())
    sweeps, timeline = [], []
    deadline = time.monotonic() + args.timeout
    with bench_publicity.RunMeter(args.worker_pid, args.sink_pid) as meter:
        t0 = time.time()
        while time.monotonic() < deadline:
            started = time.perf_counter()
            asked = outbox.sweep()
            sweeps.append(
                {
                    "s": round(time.time() - t0, 2),
                    "asked": len(asked),
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
            if asked:
                # Beat's next sweep would come a minute later; this one comes as soon as
                # the worker has claimed the batch, so the run measures the worker.
                batch = OutgoingMessage.objects.filter(pk__in=asked, status=M.QUEUED)
                while batch.filter(next_try_at__lte=timezone.now()).exists():
                    if time.monotonic() > deadline:
                        break
                    time.sleep(args.poll)
                continue
            counts = dict(
                messages.order_by().values_list("status").annotate(n=Count("pk"))
            )
            timeline.append(
                {
                    "s": round(time.time() - t0, 2),
                    **counts,
                    "received": len(received_lines()) - received_before,
                }
            )
            waiting = messages.filter(
                status=M.QUEUED, next_try_at__lte=timezone.now()
            ).exists()
            if not waiting and not counts.get(M.SENDING):
                break
            time.sleep(args.poll)
        else:
            raise SystemExit(f"not every message was sent in {args.timeout} s")
        # The sink may log the last message a moment after the worker marked it.
        sent = messages.filter(status=M.SENT).count()
        while len(received_lines()) - received_before < sent:
            if time.monotonic() > deadline:
                break
            time.sleep(args.poll)

    outbox.SWEEP_BATCH = 500
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE chamber_outgoingmessage")
    sweep_after = sweep_query()  # the minute's sweep on a table of sent messages
    rows = list(
        messages.values(
            "pk", "status", "attempts", "reclaims", "claimed_at", "sent_at", "address"
        )
    )
    mails = [json.loads(line) for line in received_lines()[received_before:]]
    start = datetime.fromtimestamp(t0, tz=timezone.get_current_timezone())
    sent_rows = [r for r in rows if r["status"] == M.SENT]
    per_message = [
        (r["sent_at"] - r["claimed_at"]).total_seconds() * 1000
        for r in sent_rows
        if r["claimed_at"] and r["sent_at"]
    ]
    last_sent = max((r["sent_at"] for r in sent_rows), default=None)
    ids = [m["id"] for m in mails]
    addresses = [a for m in mails for a in m["to"]]
    expected_ids = {f"outbox.{r['pk']}@" for r in sent_rows}
    seconds = (last_sent - start).total_seconds() if last_sent else None
    arrivals = sorted(m["t"] - t0 for m in mails)
    result = {
        "messages": total,
        "batch": args.batch,
        "worker_concurrency": args.concurrency,
        "sent": len(sent_rows),
        "failed": sum(1 for r in rows if r["status"] == M.FAILED),
        "not_sent": sum(1 for r in rows if r["status"] != M.SENT),
        "retried": sum(1 for r in rows if r["attempts"] > 1),
        "reclaimed": sum(r["reclaims"] for r in rows),
        "sweeps": len([s for s in sweeps if s["asked"]]),
        "sweep_ms": {
            "median": median(s["ms"] for s in sweeps if s["asked"]),
            "max": max((s["ms"] for s in sweeps if s["asked"]), default=None),
        },
        "first_received_s": round(arrivals[0], 2) if arrivals else None,
        "half_received_s": round(arrivals[len(arrivals) // 2], 2) if arrivals else None,
        "all_sent_s": round(seconds, 2) if seconds else None,
        "messages_per_s": round(len(sent_rows) / seconds, 1) if seconds else None,
        "per_message_ms": {
            "median": median(per_message),
            "p90": percentile(per_message, 0.9),
            "p99": percentile(per_message, 0.99),
            "max": round(max(per_message), 1) if per_message else None,
        },
        "sink": {
            "messages": len(mails),
            "distinct_message_ids": len(set(ids)),
            "duplicates": len(ids) - len(set(ids)),
            "duplicate_addresses": len(addresses) - len(set(addresses)),
            "sent_not_received": len(
                {r["address"] for r in sent_rows} - set(addresses)
            ),
            "foreign_message_ids": sum(
                1 for i in ids if i.strip("<>").split("@")[0] + "@" not in expected_ids
            ),
            "bytes_median": median(m["bytes"] for m in mails),
            "bytes_total": sum(m["bytes"] for m in mails),
        },
        "cpu_seconds": meter.seconds,
        "cpu_cores": meter.cores,
        "wall_s": meter.wall_s,
        "sweep_after": sweep_after,
        "sweep_log": sweeps,
        "timeline": timeline,
    }
    cpu = meter.seconds
    result["cpu_ms_per_message"] = {
        k: round(cpu[k] * 1000 / len(sent_rows), 2) if sent_rows else None
        for k in ("worker", "database", "redis", "sink", "bench")
    }
    print(
        f"  {len(sent_rows)} of {total} sent ({result['failed']} failed, "
        f"{result['retried']} retried, {result['reclaimed']} reclaimed) in "
        f"{result['all_sent_s']} s: {result['messages_per_s']}/s; "
        f"{result['sweeps']} sweeps; per message median "
        f"{result['per_message_ms']['median']} ms; sink {len(mails)} messages, "
        f"{result['sink']['duplicates']} duplicate Message-IDs; CPU s {cpu}",
        file=sys.stderr,
    )
    return result


# --- pages with Redis up and stopped --------------------------------------------------------


def sessions() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = get_user_model().objects

    def cookie(username: str) -> str:
        client = Client()
        client.force_login(users.get(username=username))
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "cookies": {role: cookie(name) for role, name in LOGINS.items()},
        "logins": LOGINS,
        "pages": [
            {"path": path, "url": url_safe(path), "role": role, "kind": kind}
            for path, role, kind in PAGES
        ],
    }


def healthz(base: str) -> dict:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            return {"status": response.status, **json.loads(response.read())}
    except urllib.error.HTTPError as error:
        return {"status": error.code, **json.loads(error.read() or b"{}")}


def load(args) -> dict:
    """wrk on each page (bench/petitions.py's `load`), and /healthz before and after."""
    bench_publicity.DATABASE = DATABASE  # for the server version
    os.environ["BENCH_VERSIONS"] = json.dumps(
        bench_publicity.versions(args.workers, args.concurrency)
    )
    bench_petitions.DATABASE = DATABASE  # our backends count as the benchmark's
    before = healthz(args.base)
    result = bench_petitions.load(args)
    result["command"] = "bash bench/outbox.sh"
    result["redis"] = args.redis
    result["healthz"] = {"before": before, "after": healthz(args.base)}
    return result


# --- report ---------------------------------------------------------------------------------


fmt = bench_publicity.fmt


def report(path: Path) -> None:
    run = json.loads(path.read_text(encoding="utf-8"))
    if "data" in run:
        d = run["data"]
        print(
            f"{d['messages']:,} messages written in {d['insert_s']} s; "
            f"the sweep at this size: {d['sweep']['queries']} query, "
            f"{d['sweep']['ms']} ms for {d['sweep']['found']} due"
        )
        print()
    if run.get("sends"):
        print(
            "| batch per sweep | messages | sent | failed | retried | reclaimed "
            "| sweeps | all sent | messages/s | claim → sent median / p90 / max "
            "| at the sink | duplicate Message-IDs | other work |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in run.get("sends", []):
        p = s["per_message_ms"]
        print(
            f"| {s['batch']:,} | {s['messages']:,} | {s['sent']:,} | {s['failed']} "
            f"| {s['retried']} | {s['reclaimed']} | {s['sweeps']} "
            f"| {fmt(s['all_sent_s'], '.1f')} s | **{fmt(s['messages_per_s'], '.1f')}** "
            f"| {fmt(p['median'], '.0f')} / {fmt(p['p90'], '.0f')} / "
            f"{fmt(p['max'], ',.0f')} ms | {s['sink']['messages']:,} "
            f"| **{s['sink']['duplicates']}** | {s['cpu_cores']['other']:.2f} cores |"
        )
    for s in run.get("sends", []):
        per = s["cpu_ms_per_message"]
        print(
            f"\nbatch {s['batch']:,}: CPU ms per message: "
            + ", ".join(f"{k} {fmt(v, '.2f')}" for k, v in per.items())
            + f"; a sweep that asks for a batch takes {s['sweep_ms']['median']} ms "
            f"(median, max {s['sweep_ms']['max']})"
        )
        after = s.get("sweep_after")
        if after:
            print(
                f"the sweep afterwards, nothing due: {after['queries']} query, "
                f"{after['ms']} ms"
            )
    print()
    for name in ("pages_up", "pages_down"):
        if name not in run:
            continue
        load_ = run[name]
        print(
            f"Redis {load_['redis']}: baseline {load_['baseline_rps']:,.0f} req/s; "
            f"/healthz {load_['healthz']['after']}"
        )
        print()
        print(
            "| page | as | req/s | ratio | p50 ms | p99 ms | non-2xx "
            "| CPU ms/req | other | result |"
        )
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
        for row in load_["pages"]:
            label = row["path"] + (f" ({row['when']})" if row.get("when") else "")
            print(
                f"| `{label}` | {row['role']} | {fmt(row.get('rps'), ',.0f')} "
                f"| {fmt(row.get('ratio'), '.2f')} | {fmt(row.get('p50_ms'), '.1f')} "
                f"| {fmt(row.get('p99_ms'), '.1f')} "
                f"| {fmt(row.get('non_2xx_3xx'), 'd')} "
                f"| {fmt(row.get('serving_cpu_ms'), '.2f')} "
                f"| {fmt(row.get('cpu', {}).get('other'), '.2f')} | {row['result']} |"
            )
        print()


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("data")
    d.add_argument("--messages", type=int, default=10_000)
    d.add_argument("--out", type=Path)
    k = sub.add_parser("sink")
    k.add_argument("--port-file", type=Path, required=True)
    k.add_argument("--log", type=Path, required=True)
    s = sub.add_parser("send")
    s.add_argument("--sink-log", type=Path, required=True)
    s.add_argument("--worker-pid", type=int, required=True)
    s.add_argument("--sink-pid", type=int, required=True)
    s.add_argument("--batch", type=int, default=500)
    s.add_argument("--concurrency", type=int)
    s.add_argument("--timeout", type=float, default=900)
    s.add_argument("--poll", type=float, default=0.05)
    s.add_argument("--out", type=Path)
    ss = sub.add_parser("sessions")
    ss.add_argument("--out", type=Path, required=True)
    ld = sub.add_parser("load")
    ld.add_argument("--base", required=True)
    ld.add_argument("--sessions", type=Path, required=True)
    ld.add_argument("--redis", choices=("up", "down"), required=True)
    ld.add_argument("--queries", type=Path)
    ld.add_argument("--out", type=Path)
    ld.add_argument("--threads", type=int, default=2)
    ld.add_argument("--connections", type=int, default=8)
    ld.add_argument("--duration", type=int, default=10)
    ld.add_argument("--warmup", type=int, default=2)
    ld.add_argument("--server-pid", type=int)
    ld.add_argument("--workers", type=int)
    ld.add_argument("--concurrency", type=int)
    ld.add_argument("--attempts", type=int, default=3)
    ld.add_argument("--max-other", type=float, default=0.2)
    r = sub.add_parser("report")
    r.add_argument(
        "path", type=Path, nargs="?", default=ROOT / "bench/results/outbox.json"
    )
    args = parser.parse_args()

    if args.command == "sink":
        sink(args.port_file, args.log)
        return
    if args.command == "report":
        report(args.path)
        return
    if args.command == "load":
        args.base = args.base.rstrip("/")
        write_json(args.out, load(args))
        return
    setup_django()
    if args.command == "data":
        write_json(args.out, data(args))
    elif args.command == "send":
        write_json(args.out, send(args))
    elif args.command == "sessions":
        write_json(args.out, sessions())


if __name__ == "__main__":
    main()
