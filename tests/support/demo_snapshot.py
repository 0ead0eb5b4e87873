"""The demo district for the browser tests: seeded once a run, then put back as it was.

Each browser test starts from the demo (`seed_demo`) in a database the test before it
emptied (the live server's tests are transactional). Seeding takes seconds, so the
first test of a run seeds it and keeps a copy of every table; the next ones put the
copy back in a moment: PostgreSQL with TRUNCATE and COPY (foreign keys are checked at
commit; the sequences are set past the highest ids), SQLite with its backup API.
"""

import io
import sqlite3

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

_copies: dict[str, object] = {}


def seed_demo() -> None:
    """The demo district in the test database, as `seed_demo --force` leaves it."""
    key = str(connection.settings_dict["NAME"])
    if key not in _copies:
        call_command("seed_demo", "--force", verbosity=0)
        _copies[key] = _take()
    else:
        _put_back(_copies[key])


def _tables() -> list[str]:
    return sorted(
        connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
    )


def _take():
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return copy
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            buffer = io.StringIO()
            cursor.cursor.copy_expert(
                f"COPY {connection.ops.quote_name(table)} TO STDOUT", buffer
            )
            rows[table] = buffer.getvalue()
    return rows


def _put_back(copy) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy.backup(connection.connection)
        return
    from django.apps import apps

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        tables = list(copy)
        cursor.execute(f"TRUNCATE {', '.join(map(quote, tables))} CASCADE")
        for table in tables:
            cursor.cursor.copy_expert(
                f"COPY {quote(table)} FROM STDIN", io.StringIO(copy[table])
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
