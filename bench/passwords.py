"""What a password check costs (issue 22, item 3): the portal's Argon2id parameters
against Django's defaults, one check at a time and 20 at once.

    .venv/bin/python bench/passwords.py [--checks 20] [--together 20]

No database: it hashes and verifies directly with the hashers the settings name
(chamber.passwords.Argon2PasswordHasher) and with Django's own Argon2PasswordHasher.
CPU per check is the process's user + system time over `--checks` verifications;
"together" starts `--together` verifications at once in threads (argon2-cffi releases
the GIL while it hashes, as a gunicorn worker per login would run them side by side)
and reports the median and p95 of their wall times.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoDefault  # noqa: E402

from chamber.passwords import Argon2PasswordHasher as Portal  # noqa: E402

PASSWORD = "Liaohe-2026-pw"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_at_a_time(hasher, checks: int) -> float:
    encoded = hasher.encode(PASSWORD, hasher.salt())
    start = cpu()
    for _i in range(checks):
        assert hasher.verify(PASSWORD, encoded)
    return (cpu() - start) / checks * 1000


def together(hasher, n: int) -> tuple[float, float]:
    encoded = hasher.encode(PASSWORD, hasher.salt())

    def check(_i) -> float:
        began = time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        return (time.perf_counter() - began) * 1000

    with ThreadPoolExecutor(max_workers=n) as pool:
        waits = sorted(pool.map(check, range(n)))
    return statistics.median(waits), waits[max(int(0.95 * n) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=20)
    parser.add_argument("--together", type=int, default=20)
    args = parser.parse_args()
    print(
        f"| hasher | m, t, p | CPU ms per check | {args.together} at once: median ms | p95 ms |"
    )
    print("|---|---|--:|--:|--:|")
    for name, hasher in (("portal", Portal()), ("Django default", DjangoDefault())):
        per_check = one_at_a_time(hasher, args.checks)
        median, p95 = together(hasher, args.together)
        params = f"{hasher.memory_cost // 1024} MiB, {hasher.time_cost}, {hasher.parallelism}"
        print(f"| {name} | {params} | {per_check:.1f} | {median:.0f} | {p95:.0f} |")


if __name__ == "__main__":
    main()
