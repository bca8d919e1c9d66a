"""blanko.services.sql: the prepared INSERT, and the private ORM internals it leans on.

These tests fail loudly when a Django upgrade changes what PreparedInsert relies on:
the attributes and methods it calls, the shape of the statement the ORM compiles,
and the row it writes (which must be the one Model.save() would write).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import sql as orm_sql
from django.db.models.sql.compiler import SQLInsertCompiler

from blanko.models import Balance, Location, Movement
from blanko.services.offices import office_location
from blanko.services.sql import PreparedInsert, compile_insert, insert_fields

Kind = Location.Kind
# Every column of a movement but its id, in the model's field order.
COLUMNS = [
    "from_location_id", "to_location_id", "quantity", "reason", "cause", "occurred_on",
    "recorded_at", "recorded_by_id", "reference", "note", "idempotency_key", "fingerprint",
    "reverses_id", "loan_id", "blank_request_id", "from_balance_after", "to_balance_after",
]


@pytest.fixture
def one_statement_backend():
    """Skips on SQLite, which posts with two statements; never when DATABASE_URL is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the one-statement posting is a CTE (UPDATE ... RETURNING)")


def a_draw(office, by, **fields) -> Movement:
    return Movement(
        from_location=office_location(office, Kind.STOCK),
        to_location=office_location(office, Kind.ISSUED), quantity=1,
        reason=Movement.Reason.ISSUE, occurred_on=datetime.date(2020, 7, 1), recorded_by=by,
        reference="REG-1", note="", **fields,
    )


def test_the_orm_internals_it_uses_are_still_there():
    meta = Movement._meta
    assert hasattr(orm_sql, "InsertQuery")
    assert callable(getattr(orm_sql.InsertQuery, "insert_values", None))
    assert callable(getattr(orm_sql.InsertQuery, "get_compiler", None))
    assert orm_sql.InsertQuery(Movement).compiler == "SQLInsertCompiler"
    assert "returning_fields" in vars(SQLInsertCompiler)
    assert callable(getattr(SQLInsertCompiler, "as_sql", None))
    assert meta.auto_field is meta.pk
    assert all(hasattr(field, "generated") for field in meta.local_concrete_fields)
    assert all(callable(field.get_db_prep_save) for field in meta.local_concrete_fields)
    state = Movement()._state
    assert state.adding is True and state.db is None


def test_the_inserted_columns_are_every_concrete_field_but_the_id():
    assert [field.attname for field in insert_fields()] == COLUMNS


def test_the_compiled_insert_has_the_expected_shape(office, root):
    statement, params = compile_insert(a_draw(office, root), insert_fields())

    quote = connection.ops.quote_name
    table = quote(Movement._meta.db_table)
    columns = ", ".join(quote(column) for column in COLUMNS)
    values = ", ".join(["%s"] * len(COLUMNS))
    assert re.sub(r"\s+", " ", statement) == (
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "
        f"RETURNING {table}.{quote('id')}"
    )
    # One parameter per column, in column order: the prepared values go by position.
    assert len(params) == len(COLUMNS)
    assert params[COLUMNS.index("reference")] == "REG-1"
    assert params[COLUMNS.index("quantity")] == 1


def test_a_prepared_insert_writes_the_row_save_would_write(stocked, root):
    insert = PreparedInsert(a_draw(stocked, root, idempotency_key="kunci-uji"))
    movement = insert.execute(from_balance_after=99, to_balance_after=None)
    saved = a_draw(stocked, root)
    saved.from_balance_after = 99
    saved.save()

    assert movement.pk is not None
    assert movement._state.adding is False and movement._state.db == DEFAULT_DB_ALIAS
    stored = Movement.objects.get(pk=movement.pk)
    assert stored.recorded_at == movement.recorded_at
    fields = [name for name in COLUMNS if name not in {"recorded_at", "idempotency_key"}]
    assert ([getattr(stored, name) for name in fields]
            == [getattr(Movement.objects.get(pk=saved.pk), name) for name in fields])
    assert stored.idempotency_key == "kunci-uji"


def test_the_one_statement_posting_moves_the_balance_and_inserts(one_statement_backend,
                                                                 stocked, root):
    stock = office_location(stocked, Kind.STOCK)
    insert = PreparedInsert(a_draw(stocked, root))

    movement = insert.execute_with_balance(location=stock, delta=-1, after="from_balance_after")

    stored = Movement.objects.get(pk=movement.pk)
    assert stored.from_balance_after == movement.from_balance_after == 99
    assert stored.recorded_at == movement.recorded_at
    assert Balance.objects.get(location=stock).quantity == 99


def test_the_one_statement_posting_writes_nothing_when_short(one_statement_backend, office,
                                                             root):
    insert = PreparedInsert(a_draw(office, root))
    before = Movement.objects.count()

    assert insert.execute_with_balance(
        location=office_location(office, Kind.STOCK), delta=-1, after="from_balance_after",
    ) is None
    assert Movement.objects.count() == before


@pytest.mark.parametrize("after", ["from_balance_after", "to_balance_after"])
def test_the_one_statement_computes_the_count_and_the_time_in_sql(office, root, after):
    statement, params = PreparedInsert(a_draw(office, root))._with_balance_sql(after)

    assert statement.startswith("WITH moved AS (UPDATE ")
    select = statement.split(" SELECT ", 1)[1].split(" FROM moved", 1)[0].split(", ")
    assert len(select) == len(COLUMNS)
    assert select[COLUMNS.index(after)] == "moved.quantity"
    assert select[COLUMNS.index("recorded_at")] == "clock_timestamp()"
    assert len(params) == len(COLUMNS) - 2
