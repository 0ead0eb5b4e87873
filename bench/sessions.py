"""Log the demo logins in and print, as JSON, their session cookies and the page list.

    .venv/bin/python bench/sessions.py [--pages core|all] > cookies.json

The pages: the 14 of the default run, or with --pages all (or BENCH_PAGES=all) every
page of bench/pages.py's catalogue, each with its path found in the bench data.

Runs with the same DATABASE_URL and CACHE_URL as the server: the session engine is
cached_db, so each session is written to PostgreSQL and to the Redis cache, where the
gunicorn workers find it.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import LOGINS, resolve_pages, setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        choices=("core", "all"),
        default=os.environ.get("BENCH_PAGES") or "core",
    )
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "cookies": {
                    role: session_cookie(name) for role, name in LOGINS.items()
                },
                "logins": LOGINS,
                "which": args.pages,
                "pages": resolve_pages(args.pages),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
