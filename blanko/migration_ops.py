"""Migration operations that are safe on a large, busy table."""

from __future__ import annotations

from django.db.migrations.operations import AddIndex, RemoveIndex


def valid_index_exists(schema_editor, name: str) -> bool:
    """PostgreSQL: whether a valid index of that name exists. An invalid one (left by an
    interrupted CREATE INDEX CONCURRENTLY) is dropped, so that it is built again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s", [name])
        found = cursor.fetchone()
    if found and not found[0]:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    return bool(found and found[0])


def add_index_concurrently(schema_editor, model, index) -> None:
    """CREATE INDEX CONCURRENTLY, unless a valid index of that name exists."""
    if not valid_index_exists(schema_editor, index.name):
        schema_editor.add_index(model, index, concurrently=True)


class AddIndexSafely(AddIndex):
    """AddIndex, built with CREATE INDEX CONCURRENTLY on PostgreSQL.

    A plain CREATE INDEX holds a write lock on the table for the whole build
    (tens of seconds on a million requests): counters could not register or
    print meanwhile. CONCURRENTLY cannot run in a transaction, so a migration
    using this operation sets `atomic = False`. A build interrupted halfway
    leaves an INVALID index behind; the next run drops it and builds it again.
    Other databases get the plain AddIndex.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(connection.alias, model):
            return None
        add_index_concurrently(schema_editor, model, self.index)
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
        return None

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"


class RemoveIndexSafely(RemoveIndex):
    """RemoveIndex, dropped with DROP INDEX CONCURRENTLY on PostgreSQL (a plain DROP
    INDEX waits for, then blocks, every query on the table). Needs `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{self.name}"')
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        add_index_concurrently(schema_editor, model, index)
        return None

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"
