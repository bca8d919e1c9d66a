"""`verify_ledger` rebuilds every balance from the movements and fails on any drift."""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from blanko import services
from blanko.models import Location, Movement


@pytest.fixture
def ledger(stocked, operator):
    services.issue_blank(office=stocked, by=operator)
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=2)
    return stocked


def run() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def run_failing() -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("verify_ledger", stdout=out)
    return out.getvalue(), info.value


@contextmanager
def append_only_trigger_disabled():
    """Lets a test tamper with movements the way a careless DBA could.

    The test's transaction is rolled back afterwards, ALTER TABLE included. The
    deferred foreign-key checks are fired first, because PostgreSQL will not alter
    a table that still has pending trigger events.
    """
    if connection.vendor != "postgresql":
        yield
        return

    def alter(action: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"ALTER TABLE blanko_movement {action} TRIGGER blanko_movement_append_only")

    alter("DISABLE")
    try:
        yield
    finally:
        alter("ENABLE")


def test_a_clean_ledger_passes_with_a_readable_summary(ledger):
    output = run()
    # The office's three balances and the central store's (blanko 0011) three.
    assert "Diperiksa: 3 mutasi, 6 saldo." in output
    assert "Buku besar cocok: tidak ada selisih." in output


def test_an_empty_ledger_passes(db):
    assert "tidak ada selisih" in run()


def test_a_tampered_balance_fails_and_names_the_location(ledger):
    stock = services.office_location(ledger, Location.Kind.STOCK)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE blanko_balance SET quantity = quantity + 5 WHERE location_id = %s",
                       [stock.pk])
    output, error = run_failing()
    assert "SELISIH 2172-STOCK: saldo tercatat 102, dihitung dari mutasi 97" in output
    assert "2172-SPOILED" not in output
    assert "1 saldo tidak cocok" in str(error)


def test_a_missing_balance_row_fails(ledger):
    spoiled = services.office_location(ledger, Location.Kind.SPOILED)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM blanko_balance WHERE location_id = %s", [spoiled.pk])
    output, _ = run_failing()
    assert "SELISIH 2172-SPOILED: saldo tercatat tidak ada, dihitung dari mutasi 2" in output


def test_a_deleted_movement_fails_and_names_the_location(ledger):
    issue = Movement.objects.get(reason=Movement.Reason.ISSUE)
    with append_only_trigger_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM blanko_movement WHERE id = %s", [issue.pk])
    output, error = run_failing()
    assert "SELISIH 2172-STOCK: saldo tercatat 97, dihitung dari mutasi 98" in output
    assert isinstance(error, CommandError)


def test_verify_ledger_exits_non_zero_from_the_command_line(ledger):
    stock = services.office_location(ledger, Location.Kind.STOCK)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE blanko_balance SET quantity = 0 WHERE location_id = %s",
                       [stock.pk])
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as info:
        ManagementUtility(["manage.py", "verify_ledger"]).execute()
    assert info.value.code != 0
