"""A resubmitted form (same idempotency key) never writes twice.

The same key with the same data answers with the first result; the same key
with different data is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from blanko import access, services
from blanko.exceptions import IdempotencyConflict
from blanko.models import Movement, Shipment
from tests.blanko.helpers import PARTNER_BINTAN, ledger_snapshot, refused
from tests.factories import make_user


@dataclass
class Scene:
    office: Any
    other_office: Any
    operator: Any
    supervisor: Any
    other_supervisor: Any


def receive(scene, key, quantity=10):
    return services.receive_allocation(office=scene.office, quantity=quantity,
                                       reference="BAST/IDEM", by=scene.supervisor,
                                       idempotency_key=key)


def destroy(scene, key, quantity=2):
    return services.destroy_spoiled(office=scene.office, quantity=quantity, number="BA/IDEM",
                                    by=scene.supervisor, idempotency_key=key)


def lend_to_office(scene, key, quantity=5):
    return services.lend_to_office(lender=scene.office, borrower=scene.other_office,
                                   quantity=quantity, reference="470/IDEM", by=scene.supervisor,
                                   idempotency_key=key)


def borrow_from_partner(scene, key, quantity=5):
    return services.borrow_from_partner(office=scene.office, partner_code=PARTNER_BINTAN,
                                        quantity=quantity, reference="470/P", by=scene.supervisor,
                                        idempotency_key=key)


def lend_to_partner(scene, key, quantity=5):
    return services.lend_to_partner(office=scene.office, partner_code=PARTNER_BINTAN,
                                    quantity=quantity, reference="470/P", by=scene.supervisor,
                                    idempotency_key=key)


def issue(scene, key, quantity=None):
    reference = "REG-1" if quantity is None else f"REG-LAIN-{quantity}"
    return services.issue_blank(office=scene.office, by=scene.operator, reference=reference,
                                idempotency_key=key)


def spoil(scene, key, quantity=1):
    return services.spoil_blank(office=scene.office, by=scene.operator,
                                cause=Movement.Cause.PRINT_FAILED, quantity=quantity,
                                idempotency_key=key)


def confirm(scene, key, quantity=3):
    shipment = Shipment.objects.get(sender=scene.other_office)
    return services.confirm_receipt(shipment=shipment, quantity=quantity,
                                    by=scene.supervisor, idempotency_key=key)


def repay(scene, key, quantity=3):
    loan = Movement.objects.get(idempotency_key="setup-borrow").loan
    return services.repay_loan(loan=loan, quantity=quantity, by=scene.supervisor,
                               idempotency_key=key)


CALLS = {
    "receive_allocation": receive,
    "destroy_spoiled": destroy,
    "lend_to_office": lend_to_office,
    "borrow_from_partner": borrow_from_partner,
    "lend_to_partner": lend_to_partner,
    "issue_blank": issue,
    "spoil_blank": spoil,
    "confirm_receipt": confirm,
    "repay_loan": repay,
}


@pytest.fixture
def scene(stocked, other_office, operator, supervisor, other_supervisor, receive):
    scene = Scene(stocked, other_office, operator, supervisor, other_supervisor)
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=5)
    receive(other_office, 20)
    services.lend_to_office(lender=other_office, borrower=stocked, quantity=10,
                            reference="470/BTM", by=other_supervisor)
    services.borrow_from_partner(office=stocked, partner_code="2102", quantity=10,
                                 reference="470/K", by=supervisor,
                                 idempotency_key="setup-borrow")
    return scene


def movement_of(result) -> Movement:
    if isinstance(result, Movement):
        return result
    return result.movement if hasattr(result, "movement") else result.movements.get()


@pytest.mark.parametrize("name", CALLS)
def test_the_same_key_with_the_same_data_returns_the_first_result(scene, name):
    call = CALLS[name]
    first = call(scene, "kunci-1")
    before = ledger_snapshot()
    again = call(scene, "kunci-1")
    assert ledger_snapshot() == before
    assert again == first
    assert movement_of(again).pk == movement_of(first).pk
    assert Movement.objects.filter(idempotency_key="kunci-1").count() == 1


@pytest.mark.parametrize("name", CALLS)
def test_the_same_key_with_different_data_is_refused(scene, name):
    call = CALLS[name]
    call(scene, "kunci-1")
    with refused(IdempotencyConflict, match="Kunci idempotensi"):
        call(scene, "kunci-1", 1 if name != "spoil_blank" else 2)


def test_a_key_used_by_another_kind_of_posting_is_refused(scene):
    issue(scene, "kunci-1")
    with refused(IdempotencyConflict):
        spoil(scene, "kunci-1")


def test_different_keys_post_twice(scene):
    first = issue(scene, "kunci-1")
    second = issue(scene, "kunci-2")
    assert first.pk != second.pk


def test_a_loan_key_replayed_for_another_borrower_is_refused(scene, third_office):
    lend_to_office(scene, "kunci-1")
    with refused(IdempotencyConflict):
        services.lend_to_office(lender=scene.office, borrower=third_office, quantity=5,
                                reference="470/IDEM", by=scene.supervisor,
                                idempotency_key="kunci-1")


def test_a_repayment_key_replayed_for_another_loan_is_refused(scene):
    repay(scene, "kunci-1")
    other = services.borrow_from_partner(office=scene.office, partner_code="2102", quantity=10,
                                         reference="470/K", by=scene.supervisor)
    with refused(IdempotencyConflict):
        services.repay_loan(loan=other, quantity=3, by=scene.supervisor,
                            idempotency_key="kunci-1")


def test_a_replay_is_still_checked_for_permission(scene, other_supervisor):
    receive(scene, "kunci-1")
    with refused(PermissionDenied):
        services.receive_allocation(office=scene.office, quantity=10, reference="BAST/IDEM",
                                    by=other_supervisor, idempotency_key="kunci-1")


def test_a_key_replayed_for_a_draw_then_a_ruined_print_is_refused_not_reported_done(scene):
    """Print, then ruined print with the same key: the second is another action."""
    issue(scene, "kunci-cetak")
    with refused(IdempotencyConflict, match="Kunci idempotensi"):
        services.spoil_blank(office=scene.office, by=scene.operator, reference="REG-1",
                             cause=Movement.Cause.PRINT_FAILED, idempotency_key="kunci-cetak")


def test_a_key_replayed_with_another_note_is_refused(scene):
    services.spoil_blank(office=scene.office, by=scene.operator, cause=Movement.Cause.DAMAGED,
                         note="tinta habis", idempotency_key="kunci-1")
    with refused(IdempotencyConflict):
        services.spoil_blank(office=scene.office, by=scene.operator,
                             cause=Movement.Cause.DAMAGED, note="kartu tertekuk",
                             idempotency_key="kunci-1")


def test_a_key_replayed_by_another_user_is_refused(scene, office):
    colleague = make_user(access.OPERATOR, office, username="petugas_lain")
    issue(scene, "kunci-1")
    with refused(IdempotencyConflict):
        services.issue_blank(office=scene.office, by=colleague, reference="REG-1",
                             idempotency_key="kunci-1")
