"""On PostgreSQL the database itself refuses UPDATE and DELETE of a movement.

TRUNCATE (used by test teardown) does not fire row triggers. SQLite gets no
trigger because Django's test flush deletes rows there; the model and its
queryset refuse updates and deletes on every backend.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION blanko_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'blanko_movement is append-only: record a reversal instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER blanko_movement_append_only
    BEFORE UPDATE OR DELETE ON blanko_movement
    FOR EACH ROW EXECUTE FUNCTION blanko_movement_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS blanko_movement_append_only ON blanko_movement;
DROP FUNCTION IF EXISTS blanko_movement_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("blanko", "0002_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
