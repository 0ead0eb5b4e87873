"""Loaded with -p before Django starts: the suite runs in the embedded development mode.

CI sets DATABASE_URL and CELERY_BROKER_URL for the PostgreSQL and Redis lane; without
them the suite runs on SQLite and the filesystem broker, in a folder of its own so a
running `make run` is never disturbed. Production settings are tested in subprocesses.
"""

import os
from pathlib import Path

import pytest

_VAR = Path(__file__).resolve().parent.parent / "var" / "test"
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("CELERY_FS_DIR", str(_VAR / "broker"))
os.environ.setdefault("SQLITE_TEST_NAME", str(_VAR / "test_db.sqlite3"))
os.environ.setdefault("VAR_DIR", str(_VAR))
# Playwright's sync API runs an asyncio loop; the ORM may be used beside it in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server's thread must not keep connections: PostgreSQL refuses to drop a
# test database that still has one open.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
# The shared helpers assert too: their failures read as the tests' own (tests/support/).
pytest.register_assert_rewrite("tests.support")
