"""Log the demo logins in and print, as JSON, their session cookies and the page list.

    .venv/bin/python bench/sessions.py > cookies.json

Runs with the same DATABASE_URL and CACHE_URL as the server: the session engine is
cached_db, so each session is written to PostgreSQL and to the Redis cache, where the
gunicorn workers find it.
"""

import json
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
    print(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "cookies": {
                    role: session_cookie(name) for role, name in LOGINS.items()
                },
                "logins": LOGINS,
                "pages": resolve_pages(),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
