"""On PostgreSQL, the points ledger refuses UPDATE and DELETE even from raw SQL."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION groups_pointsentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the points ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER groups_pointsentry_append_only
    BEFORE UPDATE OR DELETE ON groups_pointsentry
    FOR EACH ROW EXECUTE FUNCTION groups_pointsentry_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS groups_pointsentry_append_only ON groups_pointsentry;
DROP FUNCTION IF EXISTS groups_pointsentry_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as written, so RAISE's % is not a placeholder.
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_groups_points_awards")]

    operations = [migrations.RunPython(create, drop)]
