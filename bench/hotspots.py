"""Where one page spends its time: cProfile over N requests, printed.

    .venv/bin/python bench/hotspots.py /members/ --role member [--n 50] [--sort tottime]

With the benchmark's environment (DATABASE_URL of the `bench` database, CACHE_URL,
DEBUG=false …, as bench/run.sh exports them) and the data of bench/generate.py.
Django's test Client in this process, no HTTP server; the profiler roughly doubles
the times, so read the shares, not the milliseconds. A tool for the Findings of
docs/performance.md, not part of the run.
"""

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import LOGINS, setup_django, url_safe  # noqa: E402

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from bench.queries import host  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="e.g. /members/ or '/members/?q=营口'")
    parser.add_argument("--role", default="anonymous", choices=["anonymous", *LOGINS])
    parser.add_argument("--n", type=int, default=50, help="requests profiled")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--limit", type=int, default=40, help="lines printed")
    args = parser.parse_args()

    client = Client(HTTP_HOST=host())
    if args.role != "anonymous":
        client.force_login(get_user_model().objects.get(username=LOGINS[args.role]))
    url = url_safe(args.path)
    for _ in range(5):
        status = client.get(url, secure=True).status_code
    if status != 200:
        raise SystemExit(f"{args.path} as {args.role}: status {status}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        client.get(url, secure=True)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"{args.path} as {args.role}: {args.n} requests")
    stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
