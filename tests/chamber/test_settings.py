"""The settings module refuses bad environments loudly and configures the rest safely.

Production settings are imported in subprocesses with a controlled environment: the
test session itself runs in development mode (tests/pytest_env.py).
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.support.settings import (
    PRODUCTION,
    SETTINGS_PREFIXES,
    SETTINGS_VARIABLES,
    _python,
    settings_of,
)
from tests.support.worker import ROOT


@pytest.fixture
def child_env(tmp_path):
    """An environment with none of the portal's variables, writing under tmp_path."""

    def make(**values: str) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in SETTINGS_VARIABLES and not name.startswith(SETTINGS_PREFIXES)
        }
        env.update(
            DJANGO_SETTINGS_MODULE="chamber.settings",
            VAR_DIR=str(tmp_path / "var"),
            PYTHONUNBUFFERED="1",
        )
        env.update(values)
        return env

    return make


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "true", "DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://u:p@h/x"}, "DATABASE_URL"),
        ({"DEBUG": "true", "CELERY_BROKER_URL": "amqp://x"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "true", "EMAIL_PORT": "abc"}, "EMAIL_PORT"),
        ({"DEBUG": "true", "CACHE_URL": "memcached://x"}, "CACHE_URL"),
        (
            {"DEBUG": "false", "SECRET_KEY": PRODUCTION["SECRET_KEY"]},
            "ALLOWED_HOSTS",
        ),
        (
            {
                "DEBUG": "true",
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                "CELERY_TASK_TIME_LIMIT": "600",
                "CELERY_VISIBILITY_TIMEOUT": "600",
            },
            "CELERY_VISIBILITY_TIMEOUT",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_manage_py_refuses_a_bad_value_naming_the_variable_without_traceback(
    child_env, values, named
):
    result = _manage(child_env(**values), "check")

    assert result.returncode != 0
    assert "Configuration error:" in result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_django_setup_refuses_to_start_with_debug_off_and_no_secret_key(child_env):
    result = _python(child_env(DEBUG="false"), "")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_with_nothing_set_development_runs_on_sqlite_in_wal_mode_and_the_filesystem_broker(
    child_env, tmp_path
):
    out = settings_of(
        child_env(DEBUG="true"),
        "from django.conf import settings\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "out = {'engine': settings.DATABASES['default']['ENGINE'],\n"
        "       'name': settings.DATABASES['default']['NAME'],\n"
        "       'journal_mode': mode, 'broker': settings.CELERY_BROKER_URL,\n"
        "       'options': settings.CELERY_BROKER_TRANSPORT_OPTIONS,\n"
        "       'email': settings.EMAIL_BACKEND}\n",
    )

    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["name"].startswith(str(tmp_path / "var"))
    assert out["journal_mode"] == "wal"
    assert out["broker"] == "filesystem://"
    options = out["options"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert os.path.isdir(options["data_folder_in"])
    assert os.path.isdir(options["data_folder_processed"])
    assert options["data_folder_in"].startswith(str(tmp_path / "var"))
    assert out["email"] == "django.core.mail.backends.filebased.EmailBackend"


@pytest.mark.django_db
def test_the_test_database_connection_uses_wal_when_it_is_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("journal_mode is a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_production_environment_passes_check_deploy_at_warning_level(child_env):
    result = _manage(
        child_env(**PRODUCTION), "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_hashes_new_passwords_with_argon2(child_env):
    out = settings_of(
        child_env(**PRODUCTION),
        "from chamber.models import User\n"
        "user = User(username='hash-check')\n"
        "user.set_password('a long enough passphrase')\n"
        "out = {'password': user.password}\n",
    )

    assert out["password"].startswith("argon2")


def test_production_forces_https_secure_cookies_hsts_and_one_hour_reset_links(
    child_env,
):
    out = settings_of(
        child_env(**PRODUCTION),
        "from django.conf import settings as s\n"
        "out = {k: getattr(s, k) for k in ['DEBUG', 'SECURE_SSL_REDIRECT',\n"
        "  'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',\n"
        "  'SESSION_COOKIE_HTTPONLY', 'PASSWORD_RESET_TIMEOUT']}\n",
    )

    assert out == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_HTTPONLY": True,
        "PASSWORD_RESET_TIMEOUT": 3600,
    }


def test_portal_speaks_simplified_chinese_in_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_password_policy_asks_for_ten_characters_and_rejects_common_ones():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "CommonPasswordValidator" in names
    minimum = next(
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert minimum >= 10


def test_celery_on_redis_acknowledges_late_takes_one_task_and_speaks_only_json(
    child_env,
):
    out = settings_of(
        child_env(DEBUG="true", CELERY_BROKER_URL="redis://127.0.0.1:6379/0"),
        "from chamber.celery import app\n"
        "c = app.conf\n"
        "out = {'acks_late': c.task_acks_late, 'prefetch': c.worker_prefetch_multiplier,\n"
        "       'accept': list(c.accept_content), 'task_serializer': c.task_serializer,\n"
        "       'result_serializer': c.result_serializer,\n"
        "       'reject_on_lost': c.task_reject_on_worker_lost,\n"
        "       'time_limit': c.task_time_limit, 'soft': c.task_soft_time_limit,\n"
        "       'visibility': c.broker_transport_options['visibility_timeout'],\n"
        "       'timezone': c.timezone, 'scheduler': c.beat_scheduler}\n",
    )

    assert out["acks_late"] is True
    assert out["prefetch"] == 1
    assert out["accept"] == ["json"]
    assert out["task_serializer"] == out["result_serializer"] == "json"
    assert out["reject_on_lost"] is True
    assert out["soft"] < out["time_limit"] < out["visibility"]
    assert out["timezone"] == "Asia/Shanghai"
    assert out["scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"


def test_celery_in_this_session_speaks_only_json_and_acknowledges_late():
    from chamber.celery import app

    assert list(app.conf.accept_content) == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.mark.parametrize(
    "command",
    [("makemigrations", "--check", "--dry-run"), ("migrate", "--plan"), ("check",)],
    ids=lambda c: c[0],
)
def test_manage_py_in_an_empty_environment_says_secret_key_is_missing(command):
    """A bare shell (no variables at all) gets the clear message, not a registry traceback."""
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "Configuration error: SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
