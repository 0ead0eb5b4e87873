"""On PostgreSQL, petition events refuse UPDATE and DELETE even from raw SQL."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION petitions_petitionevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'petition events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER petitions_petitionevent_append_only
    BEFORE UPDATE OR DELETE ON petitions_petitionevent
    FOR EACH ROW EXECUTE FUNCTION petitions_petitionevent_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS petitions_petitionevent_append_only ON petitions_petitionevent;
DROP FUNCTION IF EXISTS petitions_petitionevent_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as written, so RAISE's % is not a placeholder.
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_petitions")]

    operations = [migrations.RunPython(create, drop)]
