"""Queries per page at the generated scale: a table, printed and written to JSON.

    .venv/bin/python bench/queries.py [--out bench/results/queries.json] [--sql]
                                      [--repeat 100] [--pages core|all]
                                      [--repeat-info N] [--repeat-file N]

Django's test Client on the database in DATABASE_URL (the benchmark's), the demo
logins of seed_demo, CaptureQueriesContext around the second request of each page
(the first fills per-process caches, as a warm gunicorn worker has them). The tests
assert query counts; this shows them at a realistic size.

With --repeat N it also times N requests of each page one after another in this
process, with no HTTP server and no concurrency: "wall" is the median time of one
request, "cpu" the median Python CPU time of one request (wall minus cpu is mostly
waiting for PostgreSQL and Redis). It tells where a page's time goes; the load run
(bench/load.py) is what measures throughput. --repeat-info and --repeat-file set N
for the staff, official and leader pages and for the files (PDFs can take a second
each; both default to --repeat).

--pages all (or BENCH_PAGES=all) counts every page of bench/pages.py's catalogue
instead of the 14 of the default run. A page whose objects the bench data lacks is
listed as "missing"; a page that fails is listed with its status, and with the
traceback when the view raised (a 500).
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import LOGINS, resolve_pages, setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members.models import Enterprise, Member  # noqa: E402
from petitions.models import Petition  # noqa: E402


def host() -> str:
    for name in settings.ALLOWED_HOSTS:
        if name and not name.startswith((".", "*", "[")):
            return name
    return "testserver"


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def measure(page: dict, repeat: int) -> dict:
    if page.get("missing"):
        return {**page, "status": "missing", "queries": None, "bytes": None, "sql": []}
    client = Client(HTTP_HOST=host())
    if page["role"] != "anonymous":
        user = get_user_model().objects.get(username=LOGINS[page["role"]])
        client.force_login(user)
    try:
        content_of(client.get(page["url"], secure=True))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["url"], secure=True)
            content = content_of(response)
    except Exception:  # the view raised: the 500 a user would get, with its cause
        return {
            **page,
            "status": 500,
            "queries": None,
            "bytes": None,
            "sql": [],
            "error": traceback.format_exc(),
        }
    row = {
        **page,
        "status": response.status_code,
        "bytes": len(content),
        "queries": len(captured.captured_queries),
        "sql": [q["sql"] for q in captured.captured_queries],
    }
    if response.status_code != 200:
        row["error"] = f"status {response.status_code} " + response.get("Location", "")
        return row
    if repeat:
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            content_of(client.get(page["url"], secure=True))
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        row["serial_wall_ms"] = round(statistics.median(walls) * 1000, 2)
        row["serial_cpu_ms"] = round(statistics.median(cpus) * 1000, 2)
    return row


def fmt(value, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    parser.add_argument("--sql", action="store_true", help="print each query")
    parser.add_argument(
        "--repeat", type=int, default=0, help="also time N serial requests per page"
    )
    parser.add_argument("--repeat-info", type=int, help="N for staff pages")
    parser.add_argument("--repeat-file", type=int, help="N for files")
    parser.add_argument(
        "--pages",
        choices=("core", "all"),
        default=os.environ.get("BENCH_PAGES") or "core",
        help="the default run's 14 pages, or every page of the catalogue",
    )
    args = parser.parse_args()
    repeats = {
        "info": args.repeat if args.repeat_info is None else args.repeat_info,
        "file": args.repeat if args.repeat_file is None else args.repeat_file,
    }

    scale = {
        "enterprises": Enterprise.objects.count(),
        "members": Member.objects.count(),
        "members_in_directory": Member.objects.in_directory().count(),
        "petitions": Petition.objects.count(),
    }
    rows = []
    for page in resolve_pages(args.pages):
        rows.append(measure(page, repeats.get(page["kind"], args.repeat)))
        if args.pages == "all":
            print(
                f"  {page['key']} as {page['role']}: {rows[-1]['status']}",
                file=sys.stderr,
            )

    print(
        f"Queries per page ({scale['members']} members, "
        f"{scale['members_in_directory']} in the directory, "
        f"{scale['enterprises']} enterprises, {scale['petitions']} petitions)"
    )
    print(
        f"{'page':<34} {'role':<14} {'status':>7} {'queries':>7} {'bytes':>8}"
        + (f" {'wall ms':>8} {'cpu ms':>7}" if args.repeat else "")
    )
    for row in rows:
        print(
            f"{row['path']:<34} {row['role']:<14} {row['status']:>7} "
            f"{fmt(row['queries'], 'd'):>7} {fmt(row['bytes'], 'd'):>8}"
            + (
                f" {fmt(row.get('serial_wall_ms'), '.2f'):>8} "
                f"{fmt(row.get('serial_cpu_ms'), '.2f'):>7}"
                if args.repeat
                else ""
            )
        )
        if row.get("missing"):
            print(f"    missing: {row['missing']}")
        elif row.get("error"):
            print("    " + row["error"].rstrip().replace("\n", "\n    "))
        if args.sql:
            for sql in row["sql"]:
                print(f"    {sql}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "scale": scale,
                    "repeat": args.repeat,
                    "repeat_by_kind": repeats,
                    "which": args.pages,
                    "pages": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
