"""Index classes for indexes that exist on PostgreSQL only.

A GIN index declared in a model's Meta.indexes puts it in the migration state, so
`makemigrations` knows it; but Django would then also build it on SQLite whenever it
rebuilds the table (SQLite alters a table by copying it, with every index in the
state). On any database but PostgreSQL these classes write a comment instead of the
index: the tests and `make run` on SQLite go on without it, as the queries served by
such an index check for it first (for example layanan.selectors.search_requests).

The migration that builds such an index still builds it itself, concurrently (see
blanko.migration_ops); these classes only keep Django from trying it where it cannot.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db.backends.ddl_references import Statement


class PostgresOnlyIndexMixin:
    """Creates and drops the index on PostgreSQL; elsewhere a no-op statement."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _skipped(self.name, schema_editor)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _skipped(self.name, schema_editor)
        return super().remove_sql(model, schema_editor, **kwargs)


class PostgresGinIndex(PostgresOnlyIndexMixin, GinIndex):
    """A GIN index, on PostgreSQL only."""


def _skipped(name: str, schema_editor) -> Statement:
    # A comment is a valid statement everywhere, and `sqlmigrate` shows why nothing runs.
    return Statement("-- %(name)s: PostgreSQL only (%(vendor)s)", name=name,
                     vendor=schema_editor.connection.vendor)
