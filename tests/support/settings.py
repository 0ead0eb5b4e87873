"""The settings a process gets from its environment, read in a subprocess
(tests/chamber/test_settings.py)."""

import json
import subprocess
import sys

from tests.support.worker import ROOT

# Everything chamber/settings.py reads, so a child sees only what a test gives it.
SETTINGS_VARIABLES = {
    "ALLOWED_HOSTS",
    "BEHIND_TLS_PROXY",
    "CACHE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "DEBUG",
    "DEFAULT_FROM_EMAIL",
    "DEMO_PASSWORD",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "LOG_LEVEL",
    "MEDIA_ROOT",
    "PROXY_COUNT",
    "SECRET_KEY",
    "SITE_URL",
    "SQLITE_TEST_NAME",
    "VAR_DIR",
}
SETTINGS_PREFIXES = ("AXES_", "CELERY_", "EMAIL_", "SECURE_")
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "Xq3-vN8pL2wR7tY9uB4cM6zK1sD5fG0hJ8aE3rT6yU2iO9pQ7w",
    "ALLOWED_HOSTS": "portal.example.cn",
    "DATABASE_URL": "postgres://u:p@db.example/x",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _python(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(env: dict[str, str], code: str) -> dict:
    """Run `code` (which builds a dict `out`) after django.setup() and return `out`."""
    result = _python(env, code + "\nimport json; print(json.dumps(out, default=str))")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
