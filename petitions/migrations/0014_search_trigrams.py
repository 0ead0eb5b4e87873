"""Indexes for the staff's pages at two years' data, on PostgreSQL (issue 22, item 2).

The staff list's search (`selectors.staff_petitions`) matches the typed words anywhere in
a petition's number or title, without regard to case: Django writes `icontains` as
`UPPER(column::text) LIKE UPPER('%words%')`, which no B-tree can serve. A trigram GIN
index (pg_trgm) on exactly that expression can, for Chinese text too (the database's
character type classes CJK ideographs as letters): a search of three characters or more
reads the index instead of every petition.

`petition_replied_answered`: the answers waiting for the enterprise's rating in the order
they were given, for the staff dashboard's return visits (回访, `today.worklists`).
Without it the planner walks `petition_answered` from the oldest answer through every
closed petition (92 ms at 50,000 petitions, and growing with them).

SQLite has neither the extension nor the index method, and needs neither at its sizes:
there the migration does nothing.
"""

from django.db import migrations

# pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS petition_title_trgm ON petitions_petition "
    "USING gin (UPPER(title::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS petition_number_trgm ON petitions_petition "
    "USING gin (UPPER(number::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS petition_replied_answered ON petitions_petition "
    "(answered_at, id) WHERE status = 'replied'",
)
DROP = (
    "DROP INDEX IF EXISTS petition_title_trgm",
    "DROP INDEX IF EXISTS petition_number_trgm",
    "DROP INDEX IF EXISTS petition_replied_answered",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0013_opinion_sheets"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
