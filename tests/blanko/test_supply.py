"""The supply cycle's services: an office asks, its province forwards, Ditjen allocates
from the central store and dispatches, the office confirms receipt.

Every refusal writes nothing (`refused`: the ledger, the requests and their events),
and is tried as the least-privileged real role that could attempt it.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from blanko import access, selectors, services
from blanko.exceptions import IdempotencyConflict, InsufficientStock
from blanko.models import (
    Balance,
    BlankRequest,
    BlankRequestEvent,
    Location,
    Movement,
    Office,
    Shipment,
)
from tests.blanko.helpers import ledger_snapshot
from tests.factories import make_user
from tests.helpers import LEDGER_CLEAN, noon, raises_without_change, today, verify_ledger

# verify_ledger is clean after every test of the supply cycle.
pytestmark = pytest.mark.usefixtures("ledger_clean_after")

Status = BlankRequest.Status
Reason = Movement.Reason
Kind = Location.Kind


# --- Fixtures and helpers ----------------------------------------------------------------------


def supply_snapshot() -> dict:
    return {
        **ledger_snapshot(),
        "requests": list(BlankRequest.objects.order_by("pk").values_list(
            "pk", "status", "forwarded_quantity", "allocated_quantity", "dispatched_quantity",
            "received_quantity")),
        "events": BlankRequestEvent.objects.count(),
        "offices": Office.all_objects.count(),
    }


def refused(exception: type[Exception] = ValidationError, match: str | None = None):
    """Expects `exception` and no change to the ledger, the requests or their events."""
    return raises_without_change(supply_snapshot, exception, match)


@pytest.fixture
def coordinator(db):
    """The province coordinator of Kepulauan Riau (21)."""
    return make_user(access.PROVINCE, None, username="kepri_uji", office__region="21")


@pytest.fixture
def jakarta_coordinator(db):
    """A province coordinator of another province: DKI Jakarta (31)."""
    return make_user(access.PROVINCE, None, username="dki_uji", office__region="31")


@pytest.fixture
def allocator(db):
    """Ditjen's national allocator."""
    return make_user(access.NATIONAL, None, username="ditjen_uji", office__national=True)


@pytest.fixture
def central(db):
    return services.central_office()


@pytest.fixture
def central_stocked(allocator, central):
    """50,000 blanks procured into the central store, early last year."""
    services.receive_into_central_store(quantity=50_000, reference="KONTRAK/2020/1",
                                        by=allocator, occurred_on=today() - datetime.timedelta(
                                            days=400))
    return central


@pytest.fixture
def asked(office, supervisor):
    """Tanjungpinang asks for 12,000 blanks."""
    return services.request_blanks(office=office, quantity=12_000, by=supervisor,
                                   note="Menjelang Pilkada")


@pytest.fixture
def forwarded(asked, coordinator):
    return services.forward_blank_request(blank_request=asked, by=coordinator)


@pytest.fixture
def allocated(forwarded, allocator, central_stocked):
    """6,000 of the 12,000 allocated."""
    return services.allocate_blanks(blank_request=forwarded, quantity=6_000, by=allocator)


@pytest.fixture
def shipment(allocated, allocator):
    """4,000 of the 6,000 dispatched under one BAST."""
    return services.dispatch_blanks(blank_request=allocated, quantity=4_000,
                                    reference="BAST/PUSAT/0914", by=allocator)


def central_counts() -> tuple[int, int]:
    found = dict(Balance.objects.filter(location__office__code="00").values_list(
        "location__kind", "quantity"))
    return found[Kind.STOCK], found[Kind.TRANSIT]


def fresh(blank_request: BlankRequest) -> BlankRequest:
    return BlankRequest.objects.get(pk=blank_request.pk)


# --- The central store ---------------------------------------------------------------------------


def test_the_migration_makes_the_central_store_with_its_locations_and_balances(db):
    central = Office.all_objects.get(code="00")
    assert central.name == "Gudang Pusat Ditjen Dukcapil"
    assert central.is_central
    assert set(central.locations.values_list("code", flat=True)) == {
        "00-STOCK", "00-SPOILED", "00-TRANSIT", "00-ISSUED", "00-DESTROYED", "00-ADJUSTMENT"}
    assert set(Balance.objects.filter(location__office=central).values_list(
        "location__kind", "quantity")) == {(Kind.STOCK, 0), (Kind.SPOILED, 0), (Kind.TRANSIT, 0)}
    assert services.central_office() == central


def test_the_central_store_is_no_kab_kota_in_the_lists_of_offices(office, central,
                                                                  allocator, region_viewer):
    assert list(Office.objects.all()) == [office]
    assert central not in access.offices_in_scope(allocator)
    assert access.can_access_office(allocator, central)
    assert not access.can_access_office(region_viewer, central)


def test_the_central_store_is_made_again_when_a_flush_removed_it(db):
    Balance.objects.filter(location__office__code="00").delete()
    Location.objects.filter(office__code="00").delete()
    Office.all_objects.filter(code="00").delete()
    central = services.central_office()
    assert central.code == "00"
    assert Balance.objects.filter(location__office=central).count() == 3


def test_procurement_enters_the_central_store_from_the_supplier(allocator, central):
    movement = services.receive_into_central_store(quantity=50_000, reference="KONTRAK/1",
                                                   by=allocator)
    assert (movement.reason, movement.from_location.code, movement.to_location.code) == (
        Reason.PROCUREMENT, "SOURCE-PROCUREMENT", "00-STOCK")
    assert movement.delivery.bast_number == "KONTRAK/1"
    assert selectors.central_stock() == {"stock": 50_000, "allocated_undispatched": 0,
                                         "free": 50_000, "in_transit": 0}


def test_a_procurement_sent_twice_is_received_once(allocator, central):
    first = services.receive_into_central_store(quantity=500, reference="KONTRAK/1",
                                                by=allocator, idempotency_key="k1")
    again = services.receive_into_central_store(quantity=500, reference="KONTRAK/1",
                                                by=allocator, idempotency_key="k1")
    assert again.pk == first.pk and again.replayed
    assert central_counts() == (500, 0)


def test_a_procurement_number_is_recorded_once_whatever_its_case(allocator, central):
    services.receive_into_central_store(quantity=500, reference="KONTRAK/1", by=allocator)
    with refused(match="sudah pernah dicatat"):
        services.receive_into_central_store(quantity=5, reference="kontrak/1", by=allocator)


@pytest.mark.parametrize("role", [access.SUPERVISOR, access.ADMINISTRATOR, access.VIEWER])
def test_only_ditjen_receives_into_the_central_store(office, central, role):
    user = make_user(role, office, username=f"u_{role}")
    with refused(PermissionDenied):
        services.receive_into_central_store(quantity=5, reference="X/1", by=user)


def test_a_province_coordinator_cannot_receive_into_the_central_store(coordinator, central):
    with refused(PermissionDenied):
        services.receive_into_central_store(quantity=5, reference="X/1", by=coordinator)


# --- The whole cycle -----------------------------------------------------------------------------


def test_the_whole_cycle_moves_the_blanks_and_records_each_step(
    office, supervisor, coordinator, allocator, central_stocked
):
    figures = {"as_of": today(), "stock": 120, "average": "14.5", "to_request": 12_000}
    request = services.request_blanks(office=office, quantity=12_000, by=supervisor,
                                      needed_by=today() + datetime.timedelta(days=60),
                                      figures=figures, note="Menjelang Pilkada")
    assert request.number == f"PB/2172/{today().year}/0001"
    assert (request.status, request.asked, request.submitted_on) == (
        Status.SUBMITTED, 12_000, today())
    assert request.figures["as_of"] == today().isoformat()  # JSON-safe

    services.forward_blank_request(blank_request=request, by=coordinator, quantity=10_000,
                                   note="Disesuaikan dengan kebutuhan provinsi")
    request = fresh(request)
    assert (request.status, request.forwarded_quantity, request.asked) == (
        Status.FORWARDED, 10_000, 10_000)

    services.allocate_blanks(blank_request=request, quantity=6_000, by=allocator)
    assert selectors.central_stock()["free"] == 44_000

    first = services.dispatch_blanks(blank_request=request, quantity=4_000,
                                     reference="BAST/PUSAT/1", by=allocator)
    second = services.dispatch_blanks(blank_request=request, quantity=2_000,
                                      reference="BAST/PUSAT/2", by=allocator)
    assert (first.kind, first.sender.code, first.receiver, first.letter) == (
        Shipment.Kind.DISPATCH, "00", office, "BAST/PUSAT/1")
    assert central_counts() == (44_000, 6_000)
    assert selectors.central_stock() == {"stock": 44_000, "allocated_undispatched": 0,
                                         "free": 44_000, "in_transit": 6_000}

    services.confirm_receipt(shipment=first, quantity=4_000, by=supervisor)
    assert fresh(request).status == Status.PARTLY_RECEIVED
    services.confirm_receipt(shipment=second, quantity=1_500, by=supervisor)
    services.confirm_receipt(shipment=second, quantity=500, by=supervisor)

    request = fresh(request)
    assert (request.status, request.dispatched_quantity, request.received_quantity) == (
        Status.RECEIVED, 6_000, 6_000)
    assert central_counts() == (44_000, 0)
    assert selectors.stock_on_hand(office=office) == 6_000
    assert list(request.events.values_list("from_status", "to_status", "quantity", "by")) == [
        ("", Status.SUBMITTED, 12_000, supervisor.pk),
        (Status.SUBMITTED, Status.FORWARDED, 10_000, coordinator.pk),
        (Status.FORWARDED, Status.ALLOCATED, 6_000, allocator.pk),
        (Status.ALLOCATED, Status.ALLOCATED, 4_000, allocator.pk),
        (Status.ALLOCATED, Status.ALLOCATED, 2_000, allocator.pk),
        (Status.ALLOCATED, Status.PARTLY_RECEIVED, 4_000, supervisor.pk),
        (Status.PARTLY_RECEIVED, Status.PARTLY_RECEIVED, 1_500, supervisor.pk),
        (Status.PARTLY_RECEIVED, Status.RECEIVED, 500, supervisor.pk),
    ]
    # Every blank of the cycle is on the ledger, against its request.
    assert list(request.movements.order_by("pk").values_list("reason", "quantity")) == [
        (Reason.DISPATCH, 4_000), (Reason.DISPATCH, 2_000), (Reason.RECEIPT_DITJEN, 4_000),
        (Reason.RECEIPT_DITJEN, 1_500), (Reason.RECEIPT_DITJEN, 500)]
    receipt = request.movements.filter(reason=Reason.RECEIPT_DITJEN).first()
    assert (receipt.from_location.code, receipt.to_location.code) == ("00-TRANSIT", "2172-STOCK")
    assert LEDGER_CLEAN in verify_ledger()


def test_request_numbers_run_per_office_and_year(office, other_office, supervisor,
                                                 other_supervisor):
    numbers = [services.request_blanks(office=office, quantity=10, by=supervisor).number
               for _ in range(2)]
    numbers.append(services.request_blanks(office=other_office, quantity=10,
                                           by=other_supervisor).number)
    numbers.append(services.request_blanks(office=office, quantity=10, by=supervisor,
                                           at=noon(datetime.date(2020, 7, 3))).number)
    year = today().year
    assert numbers == [f"PB/2172/{year}/0001", f"PB/2172/{year}/0002",
                       f"PB/2171/{year}/0001", "PB/2172/2020/0001"]


def test_a_request_sent_twice_is_made_once(office, supervisor):
    first = services.request_blanks(office=office, quantity=400, by=supervisor,
                                    idempotency_key="pb-1")
    again = services.request_blanks(office=office, quantity=400, by=supervisor,
                                    idempotency_key="pb-1")
    assert again.pk == first.pk
    assert BlankRequest.objects.count() == 1 and BlankRequestEvent.objects.count() == 1


def test_a_request_key_sent_again_with_other_data_is_refused(office, supervisor):
    services.request_blanks(office=office, quantity=400, by=supervisor, idempotency_key="pb-1")
    with refused(IdempotencyConflict):
        services.request_blanks(office=office, quantity=500, by=supervisor,
                                idempotency_key="pb-1")


def test_a_dispatch_sent_twice_ships_once(allocated, allocator):
    first = services.dispatch_blanks(blank_request=allocated, quantity=1_000,
                                     reference="BAST/1", by=allocator, idempotency_key="d-1")
    again = services.dispatch_blanks(blank_request=allocated, quantity=1_000,
                                     reference="BAST/1", by=allocator, idempotency_key="d-1")
    assert again.pk == first.pk
    assert fresh(allocated).dispatched_quantity == 1_000
    assert central_counts() == (49_000, 1_000)


def test_a_dispatch_key_reused_for_another_request_is_refused(allocated, allocator, office,
                                                              supervisor, coordinator):
    services.dispatch_blanks(blank_request=allocated, quantity=1_000, reference="BAST/1",
                             by=allocator, idempotency_key="d-1")
    other = services.request_blanks(office=office, quantity=100, by=supervisor)
    services.forward_blank_request(blank_request=other, by=coordinator)
    services.allocate_blanks(blank_request=other, quantity=100, by=allocator)
    with refused(IdempotencyConflict):
        services.dispatch_blanks(blank_request=other, quantity=1_000, reference="BAST/1",
                                 by=allocator, idempotency_key="d-1")


def test_a_receipt_sent_twice_is_received_once(shipment, supervisor, allocated):
    first = services.confirm_receipt(shipment=shipment, quantity=4_000, by=supervisor,
                                     idempotency_key="t-1")
    again = services.confirm_receipt(shipment=shipment, quantity=4_000, by=supervisor,
                                     idempotency_key="t-1")
    assert again.pk == first.pk
    assert fresh(allocated).received_quantity == 4_000
    assert first.blank_request_id == allocated.pk


def test_a_refusal_needs_a_reason_and_frees_nothing(forwarded, allocator, central_stocked):
    with refused(match="tulis alasannya"):
        services.allocate_blanks(blank_request=forwarded, quantity=0, by=allocator)
    services.allocate_blanks(blank_request=forwarded, quantity=0, by=allocator,
                             note="Stok pusat diprioritaskan untuk daerah bencana")
    request = fresh(forwarded)
    assert (request.status, request.allocated_quantity, request.is_open) == (
        Status.REFUSED, 0, False)
    assert selectors.central_stock()["free"] == 50_000


def test_an_office_withdraws_its_request_before_allocation(asked, supervisor):
    services.cancel_blank_request(blank_request=asked, by=supervisor, note="Sudah dipinjami")
    request = fresh(asked)
    assert request.status == Status.CANCELLED
    assert request.events.last().note == "Sudah dipinjami"


def test_a_forwarded_request_can_still_be_withdrawn(forwarded, supervisor):
    services.cancel_blank_request(blank_request=forwarded, by=supervisor)
    assert fresh(forwarded).status == Status.CANCELLED


def test_an_allocated_request_can_no_longer_be_withdrawn(allocated, supervisor):
    with refused(match="tidak dapat dibatalkan"):
        services.cancel_blank_request(blank_request=allocated, by=supervisor)


# --- Cancelling a dispatch -----------------------------------------------------------------------


def test_ditjen_cancels_what_is_still_in_transit_of_a_dispatch(shipment, allocated,
                                                               allocator, supervisor):
    services.confirm_receipt(shipment=shipment, quantity=1_000, by=supervisor)
    movement = services.cancel_shipment(shipment=shipment, by=allocator, reason="Salah alamat")
    assert (movement.reason, movement.quantity, movement.blank_request_id) == (
        Reason.TRANSIT_CANCEL, 3_000, allocated.pk)
    request = fresh(allocated)
    assert (request.dispatched_quantity, request.received_quantity, request.status) == (
        1_000, 1_000, Status.PARTLY_RECEIVED)
    assert request.undispatched == 5_000
    assert central_counts() == (49_000, 0)
    assert selectors.central_stock()["allocated_undispatched"] == 5_000
    # What went back may be dispatched again.
    services.dispatch_blanks(blank_request=request, quantity=5_000, reference="BAST/ULANG",
                             by=allocator)
    assert central_counts() == (44_000, 5_000)
    assert LEDGER_CLEAN in verify_ledger()


def test_an_office_cannot_cancel_ditjens_dispatch(shipment, supervisor):
    with refused(PermissionDenied):
        services.cancel_shipment(shipment=shipment, by=supervisor)


# --- Bad input: refused, nothing written ---------------------------------------------------------


BAD_QUANTITIES = [0, -1, 10_000_001, "12", 1.5, True, None]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_request_for_an_impossible_quantity_is_refused(office, supervisor, quantity):
    with refused(match="Jumlah"):
        services.request_blanks(office=office, quantity=quantity, by=supervisor)


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_forward_of_an_impossible_quantity_is_refused(asked, coordinator, quantity):
    if quantity is None:  # None forwards the office's figure
        return
    with refused(match="Jumlah"):
        services.forward_blank_request(blank_request=asked, by=coordinator, quantity=quantity,
                                       note="x")


@pytest.mark.parametrize("quantity", [-1, 10_000_001, "12", 1.5, True, None])
def test_an_allocation_of_an_impossible_quantity_is_refused(forwarded, allocator,
                                                            central_stocked, quantity):
    with refused(match="Jumlah"):
        services.allocate_blanks(blank_request=forwarded, quantity=quantity, by=allocator,
                                 note="x")


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_dispatch_of_an_impossible_quantity_is_refused(allocated, allocator, quantity):
    with refused(match="Jumlah"):
        services.dispatch_blanks(blank_request=allocated, quantity=quantity,
                                 reference="BAST/1", by=allocator)


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_procurement_of_an_impossible_quantity_is_refused(allocator, central, quantity):
    with refused(match="Jumlah"):
        services.receive_into_central_store(quantity=quantity, reference="K/1", by=allocator)


def test_a_forward_that_changes_the_quantity_needs_a_reason(asked, coordinator):
    with refused(match="tulis alasannya"):
        services.forward_blank_request(blank_request=asked, by=coordinator, quantity=8_000)


def test_allocating_more_than_was_asked_is_refused(forwarded, allocator, central_stocked):
    with refused(match=r"melebihi jumlah yang diminta \(12\.000\)"):
        services.allocate_blanks(blank_request=forwarded, quantity=12_001, by=allocator)


def test_allocating_more_than_was_forwarded_is_refused(asked, coordinator, allocator,
                                                       central_stocked):
    services.forward_blank_request(blank_request=asked, by=coordinator, quantity=5_000,
                                   note="Sesuai kuota provinsi")
    with refused(match=r"melebihi jumlah yang diminta \(5\.000\)"):
        services.allocate_blanks(blank_request=asked, quantity=6_000, by=allocator)


def test_allocating_more_than_the_free_stock_is_refused(
    allocated, other_office, other_supervisor, coordinator, allocator
):
    # 50,000 in store, 6,000 promised to Tanjungpinang: 44,000 are free.
    other = services.request_blanks(office=other_office, quantity=50_000,
                                    by=other_supervisor)
    services.forward_blank_request(blank_request=other, by=coordinator)
    with refused(match=r"stok bebas gudang pusat \(44\.000\)"):
        services.allocate_blanks(blank_request=other, quantity=44_001, by=allocator)
    services.allocate_blanks(blank_request=other, quantity=44_000, by=allocator)
    assert selectors.central_stock()["free"] == 0


def test_dispatching_beyond_the_allocation_is_refused(shipment, allocated, allocator):
    with refused(match=r"melebihi alokasi yang belum dikirim \(2\.000\)"):
        services.dispatch_blanks(blank_request=allocated, quantity=2_001, reference="BAST/2",
                                 by=allocator)


def test_dispatching_beyond_the_store_is_refused(allocated, allocator, root, central):
    # A stock count found the central store short: 5,000 where 50,000 were booked.
    services.record_stock_count(office=central, counted_quantity=5_000, by=root,
                                reason="Selisih opname gudang pusat")
    with refused(InsufficientStock, match="tidak mencukupi"):
        services.dispatch_blanks(blank_request=allocated, quantity=6_000, reference="BAST/2",
                                 by=allocator)


def test_confirming_more_than_was_shipped_is_refused(shipment, supervisor):
    with refused(match=r"melebihi yang masih dalam perjalanan \(4\.000\)"):
        services.confirm_receipt(shipment=shipment, quantity=4_001, by=supervisor)


def test_a_receipt_dated_before_the_dispatch_is_refused(shipment, supervisor):
    with refused(match="sebelum tanggal kirim"):
        services.confirm_receipt(shipment=shipment, quantity=1,
                                 occurred_on=today() - datetime.timedelta(days=1),
                                 by=supervisor)


def test_a_duplicate_bast_is_refused_whatever_its_case(shipment, allocated, allocator):
    with refused(match="sudah dipakai"):
        services.dispatch_blanks(blank_request=allocated, quantity=1, reference="bast/pusat/0914",
                                 by=allocator)


def test_the_database_refuses_a_second_dispatch_with_the_same_bast(shipment, central, office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.create(kind=Shipment.Kind.DISPATCH, blank_request=shipment.blank_request,
                                sender=central, receiver=office, quantity=1,
                                sent_on=today(), reference="Bast/Pusat/0914")


def test_the_database_refuses_a_dispatch_without_its_request(central, office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.create(kind=Shipment.Kind.DISPATCH, sender=central, receiver=office,
                                quantity=1, sent_on=today(), reference="B/1")


@pytest.mark.parametrize("step", ["forward", "allocate_submitted", "forward_again",
                                  "allocate_again", "dispatch_forwarded", "cancel_received"])
def test_a_step_in_the_wrong_status_is_refused(step, office, supervisor, coordinator,
                                               allocator, central_stocked):
    request = services.request_blanks(office=office, quantity=100, by=supervisor)
    if step == "forward":
        services.cancel_blank_request(blank_request=request, by=supervisor)
        action = lambda: services.forward_blank_request(  # noqa: E731
            blank_request=request, by=coordinator)
    elif step == "allocate_submitted":
        action = lambda: services.allocate_blanks(  # noqa: E731
            blank_request=request, quantity=10, by=allocator)
    elif step == "forward_again":
        services.forward_blank_request(blank_request=request, by=coordinator)
        action = lambda: services.forward_blank_request(  # noqa: E731
            blank_request=request, by=coordinator)
    elif step == "allocate_again":
        services.forward_blank_request(blank_request=request, by=coordinator)
        services.allocate_blanks(blank_request=request, quantity=10, by=allocator)
        action = lambda: services.allocate_blanks(  # noqa: E731
            blank_request=request, quantity=10, by=allocator)
    elif step == "dispatch_forwarded":
        services.forward_blank_request(blank_request=request, by=coordinator)
        action = lambda: services.dispatch_blanks(  # noqa: E731
            blank_request=request, quantity=10, reference="B/1", by=allocator)
    else:
        services.forward_blank_request(blank_request=request, by=coordinator)
        services.allocate_blanks(blank_request=request, quantity=10, by=allocator)
        sent = services.dispatch_blanks(blank_request=request, quantity=10, reference="B/1",
                                        by=allocator)
        services.confirm_receipt(shipment=sent, quantity=10, by=supervisor)
        action = lambda: services.cancel_blank_request(  # noqa: E731
            blank_request=request, by=supervisor)
    with refused(match="berstatus"):
        action()


def test_the_central_store_asks_nobody(central, root):
    with refused(match="Gudang pusat"):
        services.request_blanks(office=central, quantity=10, by=root)


# --- Roles and scope ---------------------------------------------------------------------------


def test_a_supervisor_of_another_office_cannot_ask_or_withdraw_for_this_one(
    office, asked, other_supervisor
):
    with refused(PermissionDenied):
        services.request_blanks(office=office, quantity=10, by=other_supervisor)
    with refused(PermissionDenied):
        services.cancel_blank_request(blank_request=asked, by=other_supervisor)


@pytest.mark.parametrize("role", [access.OPERATOR, access.VIEWER])
def test_an_operator_or_viewer_cannot_ask_for_blanks(office, role):
    user = make_user(role, office, username=f"u_{role}")
    with refused(PermissionDenied):
        services.request_blanks(office=office, quantity=10, by=user)


def test_an_office_administrator_asks_but_never_forwards_allocates_or_dispatches(
    office, administrator, asked, allocated, allocator
):
    assert not administrator.is_superuser
    services.request_blanks(office=office, quantity=10, by=administrator)
    request = services.request_blanks(office=office, quantity=10, by=administrator)
    with refused(PermissionDenied):
        services.forward_blank_request(blank_request=request, by=administrator)
    with refused(PermissionDenied):
        services.allocate_blanks(blank_request=allocated, quantity=1, by=administrator)
    with refused(PermissionDenied):
        services.dispatch_blanks(blank_request=allocated, quantity=1, reference="B/9",
                                 by=administrator)


def test_a_coordinator_of_another_province_cannot_forward(asked, jakarta_coordinator):
    with refused(PermissionDenied):
        services.forward_blank_request(blank_request=asked, by=jakarta_coordinator)


def test_a_province_coordinator_neither_asks_nor_allocates(office, forwarded, coordinator,
                                                           central_stocked):
    with refused(PermissionDenied):
        services.request_blanks(office=office, quantity=10, by=coordinator)
    with refused(PermissionDenied):
        services.allocate_blanks(blank_request=forwarded, quantity=10, by=coordinator)


def test_the_national_allocator_does_not_act_on_an_office_store(office, asked, allocator,
                                                                shipment):
    with refused(PermissionDenied):
        services.request_blanks(office=office, quantity=10, by=allocator)
    with refused(PermissionDenied):
        services.forward_blank_request(blank_request=asked, by=allocator)
    with refused(PermissionDenied):
        services.confirm_receipt(shipment=shipment, quantity=10, by=allocator)
    with refused(PermissionDenied):
        services.receive_allocation(office=office, quantity=10, reference="B/7", by=allocator)


def test_a_viewer_of_the_province_cannot_forward(asked, region_viewer):
    with refused(PermissionDenied):
        services.forward_blank_request(blank_request=asked, by=region_viewer)


def test_a_supervisor_of_another_office_cannot_receive_this_ones_dispatch(shipment,
                                                                          other_supervisor):
    with refused(PermissionDenied):
        services.confirm_receipt(shipment=shipment, quantity=10, by=other_supervisor)


def test_the_network_roles_are_never_grantable_by_an_office_administrator(administrator):
    assert access.NETWORK_ROLES == ("Province", "National")
    assert not set(access.NETWORK_ROLES) & set(access.GRANTABLE_ROLES)
    grantable = set(access.groups_grantable_by(administrator).values_list("name", flat=True))
    assert grantable == set(access.ROLES)


def test_a_network_user_is_not_managed_by_an_office_administrator(administrator, office):
    # Even given the office in their profile, a coordinator is above its Administrator.
    coordinator = make_user(access.PROVINCE, office, username="kepri_kantor")
    assert coordinator not in access.users_managed_by(administrator)


@pytest.mark.parametrize(("role", "granted", "withheld"), [
    (access.PROVINCE, {"blanko.forward_blank_request", "blanko.view_blank_request",
                       "blanko.view_ledger", "layanan.view_dashboard"},
     {"blanko.allocate_blanks", "blanko.request_blanks", "blanko.receive_blank"}),
    (access.NATIONAL, {"blanko.allocate_blanks", "blanko.view_blank_request",
                       "blanko.view_ledger", "layanan.view_dashboard"},
     {"blanko.forward_blank_request", "blanko.request_blanks", "blanko.issue_blank"}),
    (access.SUPERVISOR, {"blanko.request_blanks", "blanko.view_blank_request"},
     {"blanko.forward_blank_request", "blanko.allocate_blanks"}),
    (access.VIEWER, {"blanko.view_blank_request"}, {"blanko.request_blanks"}),
    (access.OPERATOR, set(), {"blanko.request_blanks", "blanko.view_blank_request"}),
])
def test_each_role_holds_the_supply_permissions_it_needs(db, role, granted, withheld):
    user = make_user(role, None, username=f"r_{role}")
    assert granted <= user.get_all_permissions()
    assert not withheld & user.get_all_permissions()


def test_the_supply_role_migrations_grant_only_what_the_live_roles_hold():
    """As tests/blanko/test_migration_roles.py does for the older role migrations."""
    import importlib

    from blanko.roles import BLANKO_ROLES

    module = importlib.import_module("blanko.migrations.0012_supply_roles")
    for role, codenames in module.ROLES.items():
        assert set(codenames) <= set(BLANKO_ROLES[role]), role


# --- The admin ------------------------------------------------------------------------------------


def test_the_admin_lists_the_requests_of_the_administrators_office_read_only(
    client, administrator, asked, other_office, other_supervisor
):
    other = services.request_blanks(office=other_office, quantity=5, by=other_supervisor)
    client.force_login(administrator)
    response = client.get("/admin/blanko/blankrequest/")
    assert response.status_code == 200
    html = response.content.decode()
    assert asked.number in html and other.number not in html
    assert client.get(f"/admin/blanko/blankrequest/{asked.pk}/change/").status_code == 200
    assert client.get("/admin/blanko/blankrequest/add/").status_code == 403


@pytest.mark.parametrize("figures", [["stok", 5], {"stock": object()}])
def test_figures_that_are_no_json_are_refused(office, supervisor, figures):
    with refused(match="Angka dasbor"):
        services.request_blanks(office=office, quantity=10, by=supervisor, figures=figures)


def test_a_request_dated_in_the_future_is_refused(office, supervisor):
    with refused(match="masa depan"):
        services.request_blanks(office=office, quantity=10, by=supervisor,
                                at=noon(today() + datetime.timedelta(days=1)))


def test_the_receipt_of_a_dispatch_is_not_reversed_but_cancelled_by_ditjen(
    shipment, supervisor, allocated
):
    receipt = services.confirm_receipt(shipment=shipment, quantity=shipment.quantity,
                                       by=supervisor)
    with refused(match="dikoreksi oleh Ditjen"):
        services.reverse_movement(movement=receipt, by=supervisor, reason="keliru")
    assert fresh(allocated).received_quantity == shipment.quantity


def test_a_dispatchs_bast_cannot_also_bring_blanks_straight_to_an_office(
    shipment, office, supervisor
):
    before = supply_snapshot()
    with refused(match="sudah pernah dicatat"):
        services.receive_allocation(office=office, quantity=4_000, reference="bast/pusat/0914",
                                    by=supervisor)
    assert supply_snapshot() == before


def test_a_direct_deliverys_bast_cannot_be_used_again_for_a_dispatch(
    allocated, allocator, office, supervisor
):
    services.receive_allocation(office=office, quantity=10, reference="BAST-LANGSUNG-77",
                                by=supervisor)
    before = supply_snapshot()
    with refused(match="sudah dipakai untuk kiriman lain"):
        services.dispatch_blanks(blank_request=allocated, quantity=10,
                                 reference="bast-langsung-77", by=allocator)
    assert supply_snapshot() == before


def test_nothing_is_dispatched_before_it_was_allocated(allocated, allocator):
    before = supply_snapshot()
    allocated_on = timezone.localdate(allocated.events.get(to_status="allocated").at)
    with refused(match="sebelum tanggal alokasi"):
        services.dispatch_blanks(blank_request=allocated, quantity=10, reference="BAST/AWAL",
                                 by=allocator,
                                 occurred_on=allocated_on - datetime.timedelta(days=1))
    assert supply_snapshot() == before
