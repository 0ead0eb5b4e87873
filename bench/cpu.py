"""CPU of one request served in this process, for comparing two commits on one machine.

    .venv/bin/python bench/cpu.py [--n 200] PATH[@ROLE] ...

With the benchmark's environment (bench/run.sh or bench/lib.sh) and its data. Django's
test Client, no HTTP server: each page is asked 10 times to warm it, then N times, and
the 10th and 50th percentiles of this process's CPU time per request are printed
(process_time, so other work on the machine inflates them less than wall time). It
counts neither PostgreSQL's nor Redis's CPU: bench/run.sh does, under load.
"""

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import LOGINS, setup_django, url_safe  # noqa: E402

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from bench.queries import host  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", help="/members/ or /members/@member")
    parser.add_argument("--n", type=int, default=200, help="requests measured per page")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    for spec in args.pages:
        path, _, role = spec.partition("@")
        role = role or "anonymous"
        client = Client(HTTP_HOST=host())
        if role != "anonymous":
            client.force_login(get_user_model().objects.get(username=LOGINS[role]))
        url = url_safe(path)
        for _ in range(10):
            status = client.get(url, secure=True).status_code
        if status != 200:
            print(f"{path:40} {role:14} status {status}")
            continue
        spent = []
        for _ in range(args.n):
            started = time.process_time()
            client.get(url, secure=True)
            spent.append((time.process_time() - started) * 1000)
        spent.sort()
        p10, p50 = spent[len(spent) // 10], spent[len(spent) // 2]
        print(f"{path:40} {role:14} p10 {p10:6.2f}  p50 {p50:6.2f} ms CPU")


if __name__ == "__main__":
    main()
