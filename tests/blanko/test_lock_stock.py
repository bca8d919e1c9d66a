"""blanko.services.lock_stock: the store's count, read under the lock every draw takes."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from blanko import services
from blanko.models import Location, Movement, Office
from blanko.services.offices import office_location


def test_lock_stock_returns_the_quantity_in_store(stocked):
    with transaction.atomic():
        assert services.lock_stock(office=stocked) == 100


def test_lock_stock_of_an_empty_store_is_zero(office):
    with transaction.atomic():
        assert services.lock_stock(office=office) == 0


def test_lock_stock_locks_the_balance_row_in_one_query(stocked):
    office = Office.objects.get(pk=stocked.pk)
    office_location(office, Location.Kind.STOCK)  # the office's locations, cached
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        services.lock_stock(office=office)
    [query] = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert "blanko_balance" in query
    if connection.features.has_select_for_update:
        assert query.rstrip().endswith("FOR UPDATE")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_lock_waits_until_the_first_transaction_ends(postgres_only, stocked, root):
    """While one transaction holds the store, another waits, then sees the committed count."""
    acquired = threading.Event()
    seen: list[int | BaseException] = []

    def second() -> None:
        try:
            with transaction.atomic():
                seen.append(services.lock_stock(office=Office.objects.get(pk=stocked.pk)))
                acquired.set()
        except BaseException as error:  # reported by the test
            seen.append(error)
            acquired.set()
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        assert services.lock_stock(office=stocked) == 100
        thread.start()
        assert not acquired.wait(timeout=0.5), "the second lock did not wait"
        services.post_movement(
            from_location=office_location(stocked, Location.Kind.STOCK),
            to_location=office_location(stocked, Location.Kind.ISSUED), quantity=3,
            reason=Movement.Reason.ISSUE, by=root,
        )
    thread.join(timeout=30)
    assert not thread.is_alive(), "the second lock never got the row"
    assert seen == [97]
