"""AddIndexSafely: concurrent index builds that a rerun repairs (issue 6)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from blanko.migration_ops import AddIndexSafely

MIGRATION = ("layanan", "0006_stage_and_queue_indexes")
NAMES = ["request_verified_at", "request_printed_at", "request_delivered_at",
         "request_pemula_waiting"]


def index_state(name: str) -> bool | None:
    """True: valid; False: present but invalid (PostgreSQL); None: absent."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c "
                           "ON c.oid = i.indexrelid WHERE c.relname = %s", [name])
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s",
                           [name])
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


@pytest.mark.django_db
def test_the_migration_builds_every_index():
    assert {name: index_state(name) for name in NAMES} == dict.fromkeys(NAMES, True)


def _run_forwards() -> None:
    loader = MigrationExecutor(connection).loader
    migration = loader.get_migration(*MIGRATION)
    state = loader.project_state(MIGRATION, at_end=False)
    with connection.schema_editor(atomic=False) as editor:
        for operation in migration.operations:
            assert isinstance(operation, AddIndexSafely)
            after = state.clone()
            operation.state_forwards(MIGRATION[0], after)
            operation.database_forwards(MIGRATION[0], editor, state, after)
            state = after


@pytest.mark.django_db(transaction=True)
def test_a_rerun_skips_valid_indexes_and_rebuilds_an_invalid_one():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent build and no invalid index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("marking an index invalid needs a superuser, as in CI")
        # What an interrupted CREATE INDEX CONCURRENTLY leaves behind.
        cursor.execute("UPDATE pg_index SET indisvalid = false "
                       "WHERE indexrelid = 'request_printed_at'::regclass")
    assert index_state("request_printed_at") is False
    _run_forwards()
    assert {name: index_state(name) for name in NAMES} == dict.fromkeys(NAMES, True)


@pytest.mark.django_db(transaction=True)
def test_the_movement_index_migration_can_be_undone_and_redone():
    wider = ["movement_from_day", "movement_to_day", "movement_reason_day"]
    narrower = ["movement_from_date", "movement_to_date", "movement_reason_date"]
    executor = MigrationExecutor(connection)
    executor.migrate([("blanko", "0004_case_insensitive_numbers")])
    try:
        assert [index_state(name) for name in narrower] == [True] * 3
        assert [index_state(name) for name in wider] == [None] * 3
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert [index_state(name) for name in wider] == [True] * 3
    assert [index_state(name) for name in narrower] == [None] * 3
