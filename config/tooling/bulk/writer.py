"""Fast writes for `seed_bulk`: COPY on PostgreSQL, executemany on SQLite.

Both bypass the models' save(), so the rows must already be valid; the bulk
plan builds them that way. Nothing here touches a row once written.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Sequence

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

CHUNK = 50_000
UTC = datetime.UTC


def ts(value: float | None) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromtimestamp(value, UTC)


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                 .replace("\r", "\\r"))
    return value


_COPY_TEXT: dict[type, Callable] = {
    str: _escape,
    int: str,
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
}


def _copy_text(value) -> str:
    convert = _COPY_TEXT.get(type(value))
    if convert is None:  # e.g. a TextChoices member
        return _escape(str(value)) if isinstance(value, str) else str(value)
    return convert(value)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence],
               *, advance: Callable[[int], None] = lambda n: None) -> int:
    """Appends rows (tuples in `columns` order) to a table; returns how many."""
    written = 0
    chunk: list[Sequence] = []

    def flush() -> None:
        nonlocal written
        if not chunk:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                text = _copy_text
                buffer.writelines("\t".join([text(v) for v in row]) + "\n" for row in chunk)
                buffer.seek(0)
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer
                )
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    [[_sqlite_value(v) for v in row] for row in chunk],
                )
        written += len(chunk)
        advance(len(chunk))
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return written


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def reset_sequences(models: Iterable) -> None:
    """After writing explicit ids, the id sequences must continue after them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def skip_row_triggers() -> bool:
    """On PostgreSQL as a superuser, skip the per-row FK triggers during the load.

    The rows are valid by construction (explicit ids that exist); checking millions
    of deferred FK triggers at commit would take longer than the load itself.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute("SET session_replication_role = replica")
    return True


def restore_row_triggers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def analyze() -> None:
    """Fresh statistics and, outside a transaction, the visibility map: the state
    autovacuum reaches on a live database, in which counts read an index alone."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def data_tables() -> list[str]:
    """Every table of the blanko and layanan apps (what --reset empties)."""
    tables = []
    for label in ("layanan", "blanko"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.managed and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return tables


def reset_data() -> None:
    """Empties the ledger and request tables (TRUNCATE on PostgreSQL; the append-only
    trigger fires on UPDATE and DELETE only)."""
    tables = data_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred FK checks still pending (rows written earlier in this transaction)
            # would make TRUNCATE refuse: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
