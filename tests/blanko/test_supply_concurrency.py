"""The supply cycle under concurrent requests, on PostgreSQL: the central store's free
stock is never promised twice, an allocation is never dispatched twice, a double click
ships once.

Threads start together at a barrier; each has its own connection. Allocation and
dispatch queue on the central STOCK balance row (blanko.services.supply).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from blanko import access, selectors, services
from blanko.models import Balance, BlankRequest, Movement, RebalancingProposal, Shipment
from tests.factories import OfficeFactory, make_user
from tests.helpers import LEDGER_CLEAN, run_together, verify_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def assert_ledger_clean() -> None:
    assert selectors.ledger_drift() == []
    assert not Balance.objects.filter(quantity__lt=0).exists()
    assert LEDGER_CLEAN in verify_ledger()


@pytest.fixture
def network(db):
    """Two Kepri offices with their supervisors, the coordinator, two allocators."""
    central = services.central_office()
    offices = [OfficeFactory(code="2172", name="Kota Tanjungpinang"),
               OfficeFactory(code="2171", name="Kota Batam")]
    return {
        "central": central,
        "offices": offices,
        "supervisors": [make_user(access.SUPERVISOR, office, username=f"spv_{office.code}")
                        for office in offices],
        "coordinator": make_user(access.PROVINCE, None, username="kepri",
                                 office__region="21"),
        "allocators": [make_user(access.NATIONAL, None, username=f"ditjen_{i}",
                                 office__national=True) for i in range(2)],
    }


def forwarded(network, index: int, quantity: int) -> BlankRequest:
    request = services.request_blanks(office=network["offices"][index], quantity=quantity,
                                      by=network["supervisors"][index])
    return services.forward_blank_request(blank_request=request, by=network["coordinator"])


def test_two_allocators_racing_for_the_last_free_blanks_one_wins(postgres_only, network):
    allocators = network["allocators"]
    services.receive_into_central_store(quantity=1_000, reference="KONTRAK/1",
                                        by=allocators[0])
    requests = [forwarded(network, 0, 800), forwarded(network, 1, 800)]

    def work(i: int) -> BlankRequest:
        return services.allocate_blanks(blank_request=requests[i], quantity=800,
                                        by=User.objects.get(pk=allocators[i].pk))

    results = run_together(2, work)
    won = [r for r in results if isinstance(r, BlankRequest)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1), results
    assert "stok bebas gudang pusat (200)" in str(lost[0])
    statuses = sorted(BlankRequest.objects.values_list("status", "allocated_quantity"))
    assert statuses == [("allocated", 800), ("forwarded", None)]
    assert selectors.central_stock() == {"stock": 1_000, "allocated_undispatched": 800,
                                         "free": 200, "in_transit": 0}
    assert_ledger_clean()


def test_many_allocations_never_promise_more_than_the_store(postgres_only, network):
    services.receive_into_central_store(quantity=1_000, reference="KONTRAK/1",
                                        by=network["allocators"][0])
    requests = [forwarded(network, i % 2, 300) for i in range(6)]

    def work(i: int) -> BlankRequest:
        return services.allocate_blanks(
            blank_request=requests[i], quantity=300,
            by=User.objects.get(pk=network["allocators"][i % 2].pk))

    results = run_together(6, work)
    assert sum(isinstance(r, BlankRequest) for r in results) == 3, results
    assert all(isinstance(r, BlankRequest | ValidationError) for r in results), results
    assert selectors.central_stock()["free"] == 100
    assert_ledger_clean()


def test_two_dispatches_racing_past_the_allocation_ship_only_what_was_allocated(
    postgres_only, network
):
    allocators = network["allocators"]
    services.receive_into_central_store(quantity=5_000, reference="KONTRAK/1",
                                        by=allocators[0])
    request = forwarded(network, 0, 1_000)
    services.allocate_blanks(blank_request=request, quantity=1_000, by=allocators[0])

    def work(i: int) -> Shipment:
        return services.dispatch_blanks(blank_request=request, quantity=700,
                                        reference=f"BAST/{i}",
                                        by=User.objects.get(pk=allocators[i].pk))

    results = run_together(2, work)
    shipped = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(shipped), len(refused)) == (1, 1), results
    assert "alokasi yang belum dikirim (300)" in str(refused[0])
    request.refresh_from_db()
    assert request.dispatched_quantity == 700
    assert selectors.central_stock() == {"stock": 4_300, "allocated_undispatched": 300,
                                         "free": 4_000, "in_transit": 700}
    assert_ledger_clean()


def test_a_dispatch_clicked_twice_at_once_ships_once(postgres_only, network):
    allocator = network["allocators"][0]
    services.receive_into_central_store(quantity=5_000, reference="KONTRAK/1", by=allocator)
    request = forwarded(network, 0, 1_000)
    services.allocate_blanks(blank_request=request, quantity=1_000, by=allocator)

    def work(_: int) -> Shipment:
        return services.dispatch_blanks(blank_request=request, quantity=600,
                                        reference="BAST/1", idempotency_key="klik-1",
                                        by=User.objects.get(pk=allocator.pk))

    results = run_together(4, work)
    assert all(isinstance(r, Shipment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Shipment.objects.count() == 1
    assert Movement.objects.filter(reason=Movement.Reason.DISPATCH).count() == 1
    assert_ledger_clean()


def test_a_request_clicked_twice_at_once_is_made_once(postgres_only, network):
    office, supervisor = network["offices"][0], network["supervisors"][0]

    def work(_: int) -> BlankRequest:
        return services.request_blanks(office=office, quantity=400, idempotency_key="pb-1",
                                       by=User.objects.get(pk=supervisor.pk))

    results = run_together(4, work)
    assert all(isinstance(r, BlankRequest) for r in results), results
    assert BlankRequest.objects.count() == 1
    assert BlankRequest.objects.get().events.count() == 1


def test_requests_of_one_office_at_once_get_consecutive_numbers(postgres_only, network):
    office, supervisor = network["offices"][0], network["supervisors"][0]

    def work(_: int) -> BlankRequest:
        return services.request_blanks(office=office, quantity=10,
                                       by=User.objects.get(pk=supervisor.pk))

    results = run_together(4, work)
    assert all(isinstance(r, BlankRequest) for r in results), results
    numbers = sorted(r.number for r in results)
    assert [number.rsplit("/", 1)[1] for number in numbers] == ["0001", "0002", "0003",
                                                                 "0004"]


# --- Province rebalancing proposals -------------------------------------------------------


@pytest.fixture
def province(network):
    """Batam holds 2,000; Tanjungpinang 1,000; Bintan and Karimun borrow."""
    batam, tpi = network["offices"][1], network["offices"][0]
    services.receive_allocation(office=batam, quantity=2_000, reference="BAST/BTM",
                                by=network["supervisors"][1])
    services.receive_allocation(office=tpi, quantity=1_000, reference="BAST/TPI",
                                by=network["supervisors"][0])
    borrowers = [OfficeFactory(code="2101", name="Kabupaten Bintan"),
                 OfficeFactory(code="2102", name="Kabupaten Karimun")]
    coordinators = [network["coordinator"], make_user(access.PROVINCE, None, username="kepri2",
                                                      office__region="21")]
    return {"batam": batam, "tpi": tpi, "borrowers": borrowers, "coordinators": coordinators}


def test_two_coordinators_cannot_promise_a_lender_s_stock_twice(postgres_only, province):
    """1,200 from Batam to Bintan and 1,200 to Karimun at once: 2,400 of 2,000. The
    province's lock lets one through; the other sees it and is refused."""
    def work(i: int):
        return services.propose_rebalancing(
            lender=province["batam"], borrower=province["borrowers"][i], quantity=1_200,
            by=province["coordinators"][i])

    results = run_together(2, work)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert "melebihi stoknya (2.000)" in " ".join(refused[0].messages)
    assert RebalancingProposal.objects.filter(status="proposed").count() == 1
    assert_ledger_clean()


def test_two_coordinators_cannot_propose_both_directions_at_once(postgres_only, province):
    pairs = [(province["batam"], province["tpi"]), (province["tpi"], province["batam"])]

    def work(i: int):
        lender, borrower = pairs[i]
        return services.propose_rebalancing(lender=lender, borrower=borrower, quantity=500,
                                            by=province["coordinators"][i])

    results = run_together(2, work)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert "arah sebaliknya" in " ".join(refused[0].messages)
