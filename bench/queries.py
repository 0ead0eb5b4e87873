"""Queries per page at the generated scale: a table, printed and written to JSON.

    .venv/bin/python bench/queries.py [--out bench/results/queries.json] [--sql]
                                      [--repeat 100]

Django's test Client on the database in DATABASE_URL (the benchmark's), the demo
logins of seed_demo, CaptureQueriesContext around the second request of each page
(the first fills per-process caches, as a warm gunicorn worker has them). The tests
assert query counts; this shows them at a realistic size.

With --repeat N it also times N requests of each page one after another in this
process, with no HTTP server and no concurrency: "wall" is the median time of one
request, "cpu" the median Python CPU time of one request (wall minus cpu is mostly
waiting for PostgreSQL and Redis). It tells where a page's time goes; the load run
(bench/load.py) is what measures throughput.
"""

import argparse
import json
import statistics
import sys
import time
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


def host() -> str:
    for name in settings.ALLOWED_HOSTS:
        if name and not name.startswith((".", "*", "[")):
            return name
    return "testserver"


def measure(page: dict, repeat: int) -> dict:
    client = Client(HTTP_HOST=host())
    if page["role"] != "anonymous":
        user = get_user_model().objects.get(username=LOGINS[page["role"]])
        client.force_login(user)
    client.get(page["url"], secure=True)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page["url"], secure=True)
    row = {
        **page,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(captured.captured_queries),
        "sql": [q["sql"] for q in captured.captured_queries],
    }
    if repeat:
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(page["url"], secure=True)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        row["serial_wall_ms"] = round(statistics.median(walls) * 1000, 2)
        row["serial_cpu_ms"] = round(statistics.median(cpus) * 1000, 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    parser.add_argument("--sql", action="store_true", help="print each query")
    parser.add_argument(
        "--repeat", type=int, default=0, help="also time N serial requests per page"
    )
    args = parser.parse_args()

    scale = {
        "enterprises": Enterprise.objects.count(),
        "members": Member.objects.count(),
        "members_in_directory": Member.objects.in_directory().count(),
    }
    rows = [measure(page, args.repeat) for page in resolve_pages()]

    print(
        f"Queries per page ({scale['members']} members, "
        f"{scale['members_in_directory']} in the directory, "
        f"{scale['enterprises']} enterprises)"
    )
    print(
        f"{'page':<34} {'role':<10} {'status':>6} {'queries':>7} {'bytes':>7}"
        + (f" {'wall ms':>8} {'cpu ms':>7}" if args.repeat else "")
    )
    for row in rows:
        print(
            f"{row['path']:<34} {row['role']:<10} {row['status']:>6} "
            f"{row['queries']:>7} {row['bytes']:>7}"
            + (
                f" {row['serial_wall_ms']:>8.2f} {row['serial_cpu_ms']:>7.2f}"
                if args.repeat
                else ""
            )
        )
        if args.sql:
            for sql in row["sql"]:
                print(f"    {sql}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"scale": scale, "repeat": args.repeat, "pages": rows},
                ensure_ascii=False,
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
