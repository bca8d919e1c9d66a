"""Every index the migrations build is declared in the models, so Django knows it.

Some indexes were built with raw SQL (layanan 0005 and 0010), concurrently; layanan
0011 puts them in the migration state. A PostgreSQL-only index (blanko.indexes) is a
comment on SQLite, even when SQLite rebuilds the table around it.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from blanko.indexes import PostgresGinIndex, PostgresOnlyIndexMixin
from layanan.models import ServiceRequest

RAW_SQL_INDEXES = ["request_verified_office", "request_office_recent",
                   "request_office_name_keys"]


def database_indexes(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, info in constraints.items() if info["index"]}


def declared(model) -> set[str]:
    return {index.name for index in model._meta.indexes} | {
        constraint.name for constraint in model._meta.constraints}


def project_models():
    return [*apps.get_app_config("blanko").get_models(),
            *apps.get_app_config("layanan").get_models()]


def expected_here(index) -> bool:
    return connection.vendor == "postgresql" or not isinstance(index, PostgresOnlyIndexMixin)


@pytest.mark.django_db
def test_every_declared_index_exists_in_the_database():
    missing = {
        (model.__name__, index.name)
        for model in project_models() for index in model._meta.indexes
        if expected_here(index) and index.name not in database_indexes(model)
    }
    assert not missing


@pytest.mark.django_db
def test_every_named_index_in_the_database_is_declared_in_its_model():
    """Django names the indexes it makes for fields after the table; every other index
    was named by hand, in a Meta or in a migration's SQL, and must be in a Meta."""
    hidden = {
        (model.__name__, name)
        for model in project_models() for name in database_indexes(model)
        if not name.startswith((model._meta.db_table, "sqlite_autoindex_"))
        and name not in declared(model)
    }
    assert not hidden


def test_the_raw_sql_indexes_are_declared_on_service_requests():
    indexes = {index.name: index for index in ServiceRequest._meta.indexes}
    assert set(RAW_SQL_INDEXES) <= set(indexes)
    assert isinstance(indexes["request_office_name_keys"], PostgresGinIndex)


@pytest.mark.django_db
def test_django_builds_the_same_indexes_as_the_raw_sql_did(postgres_only):
    """So that a later RemoveIndex or AddIndex of one of them does what it says."""

    def definitions() -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                           "WHERE indexname = ANY(%s)", [RAW_SQL_INDEXES])
            return dict(cursor.fetchall())

    built_by_migrations = definitions()
    if "request_office_name_keys" not in built_by_migrations:
        pytest.skip("pg_trgm could not be enabled: migration 0010 built no name keys")
    indexes = [index for index in ServiceRequest._meta.indexes
               if index.name in RAW_SQL_INDEXES]
    with connection.schema_editor() as editor:  # inside the test's transaction
        for index in indexes:
            editor.remove_index(ServiceRequest, index)
        assert definitions() == {}
        for index in indexes:
            editor.add_index(ServiceRequest, index)
    assert definitions() == built_by_migrations


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor starts no transaction
def test_a_postgres_only_index_is_a_comment_elsewhere():
    index = next(index for index in ServiceRequest._meta.indexes
                 if index.name == "request_office_name_keys")
    with connection.schema_editor(collect_sql=True) as editor:
        create = str(index.create_sql(ServiceRequest, editor))
        remove = str(index.remove_sql(ServiceRequest, editor))
    if connection.vendor == "postgresql":
        assert create.startswith('CREATE INDEX "request_office_name_keys"')
        assert "USING gin" in create
        assert remove.startswith('DROP INDEX IF EXISTS "request_office_name_keys"')
    else:
        assert create == remove == (
            f"-- request_office_name_keys: PostgreSQL only ({connection.vendor})")


@pytest.mark.django_db(transaction=True)
def test_sqlite_rebuilds_the_request_table_with_the_postgres_only_index_in_its_state():
    """SQLite alters a column by copying the table with every index of the state; the
    GIN index must not stop a later migration there, and the others come back."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters a column in place")
    old = ServiceRequest._meta.get_field("phone")
    new = old.clone()
    new.set_attributes_from_name("phone")
    new.max_length = old.max_length + 1
    with connection.schema_editor() as editor:
        editor.alter_field(ServiceRequest, old, new)
        editor.alter_field(ServiceRequest, new, old)
    found = database_indexes(ServiceRequest)
    assert {"request_verified_office", "request_office_recent"} <= found
    assert "request_office_name_keys" not in found


@pytest.mark.django_db(transaction=True)
def test_the_index_state_migration_can_be_undone_and_redone():
    before = database_indexes(ServiceRequest)
    executor = MigrationExecutor(connection)
    executor.migrate([("layanan", "0010_office_name_search_keys")])
    try:
        # Only the state changed: the indexes stay, built by 0005 and 0010.
        assert database_indexes(ServiceRequest) == before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert database_indexes(ServiceRequest) == before
