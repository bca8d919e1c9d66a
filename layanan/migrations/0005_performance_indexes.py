"""Indexes for national scale (issue 6), safe on a large table.

On PostgreSQL each index is built with CREATE INDEX CONCURRENTLY (no write lock
on layanan_servicerequest), so the migration is not atomic; an index left
invalid by an interrupted build is dropped and built again on the next run.
The name search gets a trigram index when pg_trgm can be enabled. SQLite gets
the plain indexes. None of them changes the model state: they are invisible to
the ORM and need no model change.
"""

from django.db import migrations
from django.db.utils import DatabaseError

from blanko.migration_ops import valid_index_exists

TABLE = "layanan_servicerequest"

# name -> (columns or expression, WHERE clause or "")
BTREE = {
    # The printable queue per office and tier (print queue, reservation, public stock).
    "request_verified_office": ("(office_id, priority_tier, printable_from)",
                                "WHERE status = 'verified'"),
    # Newest first per office (request list and search).
    "request_office_recent": ("(office_id, submitted_at DESC, id DESC)", ""),
}
TRIGRAM = ("request_name_trgm", "USING gin (UPPER(full_name) gin_trgm_ops)")


def _postgres_index(schema_editor, name: str, definition: str) -> None:
    if not valid_index_exists(schema_editor, name):
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{name}" ON {TABLE} {definition}')


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, (columns, where) in BTREE.items():
        if vendor == "postgresql":
            _postgres_index(schema_editor, name, f"{columns} {where}")
        else:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {TABLE} '
                                  f"{columns} {where}")
    if vendor == "postgresql":
        try:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return  # no right to enable pg_trgm: the name search scans the office's rows
        _postgres_index(schema_editor, *TRIGRAM)


def backwards(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in [*BTREE, TRIGRAM[0]]:
        schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("layanan", "0004_dashboard_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
