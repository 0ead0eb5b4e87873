"""Repeated petitions (issue 20, item 6) at 50,000 petitions, in the database: the way
petitions/repeats.py finds them, timed on SQLite and PostgreSQL.

    .venv/bin/python bench/repeats.py --database sqlite   [--petitions 50000] [--out FILE]
    .venv/bin/python bench/repeats.py --database postgres [--petitions 50000] [--out FILE]
                                      [--checks 300] [--seed 20] [--days 693]

It makes a database of its own (SQLite: a file under /tmp; PostgreSQL: the database
`bench_repeats` on BENCH_PG_URL, default postgres://postgres:postgres@127.0.0.1:5432/,
dropped and created again), migrates it, and writes 300 enterprises and `--petitions`
petitions received over `--days` days up to now, in pk order. Each lives a random
time (3 days plus an exponential of mean 20); those whose life is over are ended
(closed 90 %, rejected 6 %, merged 4 %) on that day, the others are open (submitted,
accepted or replied). Their text is bench/similarity.py's synthetic petitions: clauses of
the labelled set recombined within a topic, far more alike than real petitions (every
n-gram's posting is long), so the figures are an upper bound. One enterprise has 20
petitions in the window (open or ended in the last RECENT_DAYS days), another 300.

Then, in this one process, as a web worker would:

- the window (petitions.repeats._Window): built (one query, the signatures, the
  index), its memory (tracemalloc, the index's own count as bench/similarity.py makes
  it), and a check with nothing new (the one refresh query);
- `likely_duplicates([p])` with nothing kept from before: the refresh query, the check
  and the query reading the answers back, for `--checks` petitions: half already in the
  window, half new (a petition of the window raised again in other words, or a new one);
- the triage board's 30 petitions at once, with nothing kept and again (kept answers);
- `suggestions()` for the enterprises of 20 and of 300 petitions;
- the same window holding all the petitions (RECENT_DAYS made huge): the worst case.

Prints the Markdown of docs/performance.md's section "repeats"; `--out FILE` keeps the
figures as JSON. Nothing else runs (no services, no Redis, DEBUG off).
"""

import argparse
import atexit
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = "bench_repeats"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432/")
ENTERPRISES = 300
BOARD_ROWS = 30


def configure(database: str) -> str:
    """The environment of a production process on a database of our own; its URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    os.environ["DEBUG"] = "false"  # no query log growing in memory
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ["VAR_DIR"] = var = tempfile.mkdtemp(prefix="bench-repeats-")
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    if database == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{DATABASE}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg2

        conn = psycopg2.connect(PG_URL + "postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        conn.close()
        url = PG_URL + DATABASE
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    return url


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(times: list[float]) -> dict:
    return {
        "n": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "max_ms": max(times),
        "mean_ms": statistics.mean(times),
    }


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


# --- the data ---------------------------------------------------------------------------


def generate(count: int, days: int, seed: int) -> dict:
    """Enterprises and petitions, bulk-inserted with their keys given. Returns what the
    checks need: the two special enterprises' ids."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench import similarity as synthetic
    from members.models import Area, Enterprise
    from petitions import repeats
    from petitions.models import Petition

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated_s = time.perf_counter() - start

    rng = random.Random(seed)
    phrases = synthetic.Phrases()
    now = timezone.now()
    since = now - timedelta(days=repeats.RECENT_DAYS)
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"营口基准企业{i:03d}有限公司",
            credit_code=f"91210800BENCH{i:05d}",
            area=Area.XISHI,
        )
        for i in range(ENTERPRISES + 2)
    )
    enterprise_ids = list(
        Enterprise.objects.order_by("pk").values_list("pk", flat=True)
    )
    twenty, three_hundred = enterprise_ids[-2:]
    everyone = enterprise_ids[:-2]

    moments = sorted(now - timedelta(days=rng.uniform(0, days)) for _ in range(count))
    rows, in_window = [], []
    for pk, created in enumerate(moments, start=1):
        text = synthetic.petition(phrases, rng)
        ends = created + timedelta(days=3 + rng.expovariate(1 / 20))
        fields = {}
        if ends < now:
            roll = rng.random()
            status = (
                "closed" if roll < 0.90 else "rejected" if roll < 0.96 else "merged"
            )
            fields = {
                "answer": "已答复。",
                "answered_at": ends,
                "closed_at": ends,
                "answer_round": 1,
            }
            if status == "merged":
                fields["merged_into_id"] = rng.randrange(1, pk) if pk > 1 else None
                if fields["merged_into_id"] is None:
                    status = "closed"
        else:
            age = (now - created).days
            status = "submitted" if age < 3 else "accepted" if age < 7 else "replied"
        if status != "merged" and (
            status not in ("closed", "rejected") or ends >= since
        ):
            in_window.append(pk)
        rows.append(
            Petition(
                pk=pk,
                number=f"XS-B-{pk:06d}",
                enterprise_id=rng.choice(everyone),
                channel=rng.choice(["online", "phone", "duty_studio", "opinion_form"]),
                title=text.title[:200],
                description=text.description,
                status=status,
                created_at=created,
                awaiting_triage_since=created,
                **fields,
            )
        )
    # The enterprises of 20 and of 300 petitions in the window.
    chosen = rng.sample(in_window, min(320, len(in_window)))
    by_pk = {row.pk: row for row in rows}
    for pk in chosen[:20]:
        by_pk[pk].enterprise_id = twenty
    for pk in chosen[20:]:
        by_pk[pk].enterprise_id = three_hundred
    start = time.perf_counter()
    for first in range(0, len(rows), 2000):
        Petition.objects.bulk_create(rows[first : first + 2000])
    inserted_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('petitions_petition', 'id'), %s)",
                [count],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE petitions_petition")
    return {
        "migrated_s": migrated_s,
        "inserted_s": inserted_s,
        "window_generated": len(in_window),
        "twenty": twenty,
        "three_hundred": three_hundred,
        "phrases": phrases,
        "rng": rng,
        "now": now,
    }


# --- the measures ---------------------------------------------------------------------------


def window_figures(now) -> dict:
    """Build the window (timed, then again under tracemalloc), and a refresh with
    nothing new."""
    from bench.similarity import index_megabytes
    from petitions import repeats

    builds = []
    for _ in range(3):
        repeats.forget()
        builds.append(timed(lambda: repeats._window.check([], now=now))[0])
    repeats.forget()
    tracemalloc.start()
    repeats._window.check([], now=now)
    traced_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    refresh = [timed(lambda: repeats._window.check([], now=now))[0] for _ in range(100)]
    index = repeats._window.index
    return {
        "window": len(index),
        "build_ms": statistics.median(builds),
        "builds_ms": builds,
        "traced_mb": traced_mb,
        "index_mb": index_megabytes(index),
        "distinct_ngrams": len(index._numbers),
        "refresh": summary(refresh),
    }


def check_figures(data: dict, checks: int) -> dict:
    """likely_duplicates of one petition with nothing kept: half in the window, half new."""
    from bench import similarity as synthetic
    from petitions import repeats
    from petitions.models import Petition

    rng, phrases, now = data["rng"], data["phrases"], data["now"]
    window = list(
        Petition.objects.filter(
            repeats.window_q(now - timedelta(days=repeats.RECENT_DAYS))
        )
        .order_by("pk")
        .values_list("pk", "title", "description")
    )
    sample = rng.sample(window, checks // 2)
    items = [
        ("in the window", SimpleNamespace(pk=pk, title=t, description=d), None)
        for pk, t, d in sample
    ]
    for i in range(checks - len(items)):
        if i % 2:
            items.append(
                (
                    "new",
                    SimpleNamespace(
                        pk=-(i + 1), **vars(synthetic.petition(phrases, rng))
                    ),
                    None,
                )
            )
        else:
            pk, title, description = rng.choice(window)
            again = synthetic.raised_again(
                SimpleNamespace(title=title, description=description), rng
            )
            items.append(
                ("raised again", SimpleNamespace(pk=-(i + 1), **vars(again)), pk)
            )
    times: dict[str, list[float]] = {}
    flagged = found_again = again = 0
    cpu = time.process_time()
    for kind, petition, original in items:
        repeats._window._memo.clear()
        ms, found = timed(lambda p=petition: repeats.likely_duplicates([p], now=now))
        times.setdefault(kind, []).append(ms)
        matches = found.get(petition.pk, [])
        flagged += bool(matches)
        if original is not None:
            again += 1
            found_again += original in {d.petition.pk for d in matches}
    cpu_ms = (time.process_time() - cpu) * 1000 / len(items)
    every = [ms for kind_times in times.values() for ms in kind_times]
    return {
        "kinds": {kind: summary(kind_times) for kind, kind_times in times.items()},
        "all": summary(every),
        "cpu_ms": cpu_ms,
        "flagged": flagged,
        "raised_again": again,
        "raised_again_found": found_again,
    }


def board_figures(now) -> dict:
    """The triage board's rows at once: nothing kept (a new day, a new process), then
    shown again (the answers kept, brought up to date)."""
    from petitions import repeats
    from petitions.models import Petition

    rows = list(
        Petition.objects.filter(status="submitted")
        .select_related("enterprise", "category", "department")
        .order_by("awaiting_triage_since", "pk")[:BOARD_ROWS]
    )
    cold, warm = [], []
    for _ in range(10):
        repeats._window._memo.clear()
        cold.append(timed(lambda: repeats.likely_duplicates(rows, now=now))[0])
        warm.append(timed(lambda: repeats.likely_duplicates(rows, now=now))[0])
    flagged = len(repeats.likely_duplicates(rows, now=now))
    return {
        "rows": len(rows),
        "flagged": flagged,
        "cold": summary(cold),
        "warm": summary(warm),
    }


def suggestion_figures(data: dict) -> dict:
    from bench import similarity as synthetic
    from petitions import repeats

    rng, phrases = data["rng"], data["phrases"]
    out = {}
    for label, enterprise_id in (
        ("20", data["twenty"]),
        ("300", data["three_hundred"]),
    ):
        times = []
        for _ in range(100):
            text = synthetic.petition(phrases, rng)
            times.append(
                timed(
                    lambda t=text, e=enterprise_id: repeats.suggestions(
                        e, t.title, t.description, now=data["now"]
                    )
                )[0]
            )
        out[label] = summary(times)
    return out


def everything_figures(data: dict, checks: int) -> dict:
    """The worst case: the window holds every petition (RECENT_DAYS made huge)."""
    from petitions import repeats

    kept = repeats.RECENT_DAYS
    repeats.RECENT_DAYS = 100_000
    try:
        window = window_figures(data["now"])
        checked = check_figures(data, checks)
    finally:
        repeats.RECENT_DAYS = kept
        repeats.forget()
    return {"window": window, "checks": checked}


def run(args) -> dict:
    url = configure(args.database)
    from django.db import connection

    data = generate(args.petitions, args.days, args.seed)
    from petitions import repeats

    load = [os.getloadavg()[0]]
    result = {
        "database": connection.vendor,
        "server": connection.cursor().connection.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version,
        "url": url.split("@")[-1],
        "petitions": args.petitions,
        "days": args.days,
        "recent_days": repeats.RECENT_DAYS,
        "seed": args.seed,
        "migrated_s": data["migrated_s"],
        "inserted_s": data["inserted_s"],
        "python": sys.version.split()[0],
    }
    result["window"] = window_figures(data["now"])
    result["checks"] = check_figures(data, args.checks)
    result["board"] = board_figures(data["now"])
    result["suggestions"] = suggestion_figures(data)
    result["everything"] = everything_figures(data, max(100, args.checks // 3))
    load.append(os.getloadavg()[0])
    result["load_average"] = load
    return result


def print_result(r: dict) -> None:
    w = r["window"]
    print(
        f"{r['database']} {r['server']}, Python {r['python']}: {r['petitions']:,} petitions "
        f"over {r['days']} days, window (open + ended in {r['recent_days']} days) "
        f"{w['window']:,}; load average {r['load_average'][0]:.2f} → {r['load_average'][1]:.2f}"
    )
    print()
    print("| step | p50 ms | p99 ms | max ms | n |")
    print("|---|--:|--:|--:|--:|")

    def line(label: str, s: dict) -> None:
        print(
            f"| {label} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['max_ms']:.2f} | {s['n']} |"
        )

    print(
        f"| window built ({w['window']:,} petitions: query, signatures, index) | "
        f"{w['build_ms']:.0f} | | {max(w['builds_ms']):.0f} | {len(w['builds_ms'])} |"
    )
    line("refresh, nothing new (one query)", w["refresh"])
    for kind, s in r["checks"]["kinds"].items():
        line(f"likely_duplicates, one petition {kind}", s)
    line("likely_duplicates, all", r["checks"]["all"])
    line(f"triage board, {r['board']['rows']} rows, nothing kept", r["board"]["cold"])
    line(f"triage board, {r['board']['rows']} rows, shown again", r["board"]["warm"])
    for size, s in r["suggestions"].items():
        line(f"suggestions(), an enterprise of {size} in the window", s)
    e = r["everything"]
    print(
        f"| worst case: window of all {e['window']['window']:,}, built | "
        f"{e['window']['build_ms']:.0f} | | {max(e['window']['builds_ms']):.0f} | 3 |"
    )
    line("worst case: likely_duplicates, all", e["checks"]["all"])
    print()
    c = r["checks"]
    print(
        f"memory: window {w['traced_mb']:.1f} MB allocated (tracemalloc), index "
        f"{w['index_mb']:.1f} MB; all {e['window']['window']:,}: "
        f"{e['window']['traced_mb']:.1f} MB, index {e['window']['index_mb']:.1f} MB"
    )
    print(
        f"CPU {c['cpu_ms']:.2f} ms per check; {c['flagged']} of {c['all']['n']} checks "
        f"flagged something; the original of {c['raised_again_found']} of "
        f"{c['raised_again']} petitions raised again was found; board: "
        f"{r['board']['flagged']} of {r['board']['rows']} flagged"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--petitions", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=693)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args)
    print_result(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
