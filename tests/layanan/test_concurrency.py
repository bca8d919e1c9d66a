"""Printing under concurrency, on PostgreSQL: row locks keep blanks and reservations exact.

Every worker thread has its own database connection and closes it when done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from blanko import services as ledger
from blanko.exceptions import InsufficientStock
from blanko.models import Movement
from layanan import selectors, services
from layanan.models import CardPrint, ServiceRequest
from tests.helpers import today
from tests.layanan.helpers import adult_nik, born_years_ago, make_nik, stock_of, submit, verified

Kind = ServiceRequest.Kind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(jobs: list[Callable[[], object]]) -> list[object]:
    """Runs the jobs in threads released together; returns each result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    unexpected = [r for r in results if isinstance(r, Exception)
                  and not isinstance(r, ValidationError)]
    assert not unexpected, unexpected  # no deadlock, no IntegrityError, no crash
    return results


@pytest.fixture
def slow_check(monkeypatch):
    """Widens the window between counting the reserved blanks and drawing one.

    With the stock row locked first, the other workers wait out the pause; without
    the lock they would all count the same stock and overdraw the reservation.
    """
    count = selectors.higher_tier_waiting

    def slowly(**kwargs):
        found = count(**kwargs)
        time.sleep(0.05)
        return found

    monkeypatch.setattr(selectors, "higher_tier_waiting", slowly)


def fresh(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def test_two_operators_printing_the_same_request_take_exactly_one_blank(
        postgres_only, office, operator, second_operator, give_stock, slow_check):
    give_stock(office, 5)
    request = verified(office, operator)
    results = race([
        lambda: services.print_card(request=fresh(request), by=operator),
        lambda: services.print_card(request=fresh(request), by=second_operator),
    ])
    prints = [r for r in results if isinstance(r, CardPrint)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(prints) == 1 and len(refused) == 1, results
    assert "adalah Dicetak" in refused[0].messages[0]
    assert stock_of(office) == 4
    assert CardPrint.objects.filter(request=request).count() == 1
    assert fresh(request).status == ServiceRequest.Status.PRINTED


def test_a_double_click_racing_itself_returns_the_first_print(postgres_only, office, operator,
                                                              give_stock):
    give_stock(office, 5)
    request = verified(office, operator)
    results = race([
        lambda: services.print_card(request=fresh(request), by=operator, idempotency_key="klik")
        for _ in range(2)
    ])
    assert all(isinstance(r, CardPrint) for r in results), results
    assert results[0].pk == results[1].pk
    assert stock_of(office) == 4
    assert CardPrint.objects.count() == 1


def test_two_requests_racing_for_the_last_blank_one_gets_it(postgres_only, office, operator,
                                                            second_operator, give_stock,
                                                            slow_check):
    give_stock(office, 1)
    first, second = verified(office, operator), verified(office, operator)
    results = race([
        lambda: services.print_card(request=fresh(first), by=operator),
        lambda: services.print_card(request=fresh(second), by=second_operator),
    ])
    assert sum(isinstance(r, CardPrint) for r in results) == 1, results
    assert sum(isinstance(r, InsufficientStock) for r in results) == 1, results
    assert stock_of(office) == 0
    assert CardPrint.objects.count() == 1


def test_racing_tier_4_requests_never_take_the_blanks_reserved_for_pemula(
        postgres_only, office, operator, give_stock, slow_check):
    give_stock(office, 5)
    pemula = [verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(18)))
              for _ in range(2)]
    others = [verified(office, operator) for _ in range(6)]
    results = race([
        (lambda r=r: services.print_card(request=fresh(r), by=operator)) for r in others
    ])
    prints = [r for r in results if isinstance(r, CardPrint)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(prints) + len(refused) == len(others), results
    # 5 -> 4 -> 3 -> 2: a tier-4 print needs stock - 1 >= 2 pemula waiting.
    assert len(prints) == 3
    assert all("Dicadangkan" in e.messages[0] for e in refused), refused
    assert stock_of(office) == 2
    assert stock_of(office) >= selectors.waiting_by_tier(office=office, today=today())[1]
    for request in pemula:
        services.print_card(request=request, by=operator)
    assert stock_of(office) == 0


def test_racing_prints_of_every_tier_keep_the_reservation(postgres_only, office, operator,
                                                          second_operator, give_stock,
                                                          slow_check):
    give_stock(office, 4)
    pemula = [verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(19)))
              for _ in range(3)]
    disaster = [verified(office, operator, disaster_victim=True) for _ in range(3)]
    users = [operator, second_operator]
    jobs = [
        (lambda r=r, n=n: services.print_card(request=fresh(r), by=users[n % 2]))
        for n, r in enumerate(disaster + pemula)
    ]
    results = race(jobs)
    printed_pemula = CardPrint.objects.filter(request__in=pemula).count()
    # Every pemula is served; only the one spare blank can go to a disaster victim.
    assert printed_pemula == 3, results
    assert CardPrint.objects.filter(request__in=disaster).count() == 1
    assert stock_of(office) == 0


def test_a_delivery_received_while_a_card_prints_does_not_deadlock(
        postgres_only, office, operator, supervisor, give_stock, monkeypatch):
    """The receipt locks the stock row, then inserts its Delivery (which refers to the office).

    A print that locked the office row as well as the request would wait for the stock
    row while the receipt waits for the office row: a deadlock.
    """
    from blanko.services import stock as stock_services

    give_stock(office, 5)
    request = verified(office, operator)
    post_movement = stock_services.post_movement
    stock_locked = threading.Event()

    def post_then_pause(**kwargs):
        movement = post_movement(**kwargs)
        if kwargs["reason"] == Movement.Reason.RECEIPT_DITJEN:
            stock_locked.set()
            time.sleep(0.5)  # the printer takes its locks meanwhile
        return movement

    monkeypatch.setattr(stock_services, "post_movement", post_then_pause)

    def print_once_the_stock_is_locked():
        assert stock_locked.wait(timeout=10)
        return services.print_card(request=fresh(request), by=operator)

    results = race([
        lambda: ledger.receive_allocation(office=office, quantity=10, reference="BAST-BALAPAN",
                                          by=supervisor),
        print_once_the_stock_is_locked,
    ])
    assert isinstance(results[0], Movement) and isinstance(results[1], CardPrint), results
    assert stock_of(office) == 5 + 10 - 1


def test_requests_registered_at_once_get_different_numbers(postgres_only, office, operator,
                                                           second_operator):
    users = [operator, second_operator, None, None]
    results = race([
        (lambda by=by: submit(office, by)) for by in users
    ])
    numbers = {r.registration_number for r in results}
    assert len(numbers) == len(users), results
    assert numbers == {f"2172-{today():%y%m%d}-{n:04d}" for n in range(1, len(users) + 1)}


def test_the_same_nik_registered_twice_at_once_gives_one_open_request(postgres_only, office,
                                                                      operator, second_operator):
    nik = adult_nik()
    results = race([
        (lambda by=by: submit(office, by, nik=nik)) for by in (operator, second_operator)
    ])
    created = [r for r in results if isinstance(r, ServiceRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1 and len(refused) == 1, results
    assert refused[0].message_dict == {
        "nik": ["Masih ada permohonan terbuka untuk NIK ini dengan jenis yang sama: "
                f"{created[0].registration_number} (Kota Tanjungpinang)."]}
    assert ServiceRequest.objects.filter(nik=nik).count() == 1


@pytest.mark.parametrize("at_counter", [False, True])
def test_a_form_submitted_twice_at_once_registers_one_request(postgres_only, office, operator,
                                                              at_counter):
    nik = adult_nik()
    by = operator if at_counter else None
    results = race([
        (lambda: submit(office, by, nik=nik, submission_key="kirim-sekali")) for _ in range(3)
    ])
    assert all(isinstance(r, ServiceRequest) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert ServiceRequest.objects.count() == 1


def test_the_same_nik_submitted_online_at_once_gives_one_request_and_flagged_duplicates(
        postgres_only, office):
    nik = adult_nik()
    results = race([
        (lambda key=key: submit(office, None, nik=nik, submission_key=key))
        for key in ("satu", "dua", "tiga")
    ])
    assert all(isinstance(r, ServiceRequest) for r in results), results
    unflagged = ServiceRequest.objects.filter(nik=nik, duplicate_of__isnull=True)
    assert unflagged.count() == 1
    assert set(ServiceRequest.objects.filter(nik=nik, duplicate_of__isnull=False)
               .values_list("duplicate_of", flat=True)) == {unflagged.get().pk}
