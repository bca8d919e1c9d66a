"""Random sequences of ledger operations keep the books balanced.

A Hypothesis state machine drives the services of two offices with a partner
outside SiBlanko, and keeps its own simple model of what every balance, loan
and shipment should be. After every step the ledger must match the model,
every balance must equal the net of its movements, no physical balance may be
negative, and no blank may appear or vanish. A step the model expects to be
refused must raise ValidationError and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from blanko import selectors, services
from blanko.models import Balance, Loan, Location, Movement, Shipment
from tests.blanko.helpers import PARTNER_BINTAN

Kind = Location.Kind
Cause = Movement.Cause
OFFICE = st.sampled_from([0, 1])
SMALL = st.integers(min_value=1, max_value=30)
INDEX = st.integers(min_value=0, max_value=1_000)


@dataclass
class ModelLoan:
    pk: int
    kind: str  # "borrowed" (from the partner), "lent" (to the partner) or "office"
    borrower: int | None  # office index
    lender: int | None
    delivered: int = 0
    repaid: int = 0


@dataclass
class ModelShipment:
    pk: int
    loan: ModelLoan
    kind: str
    sender: int
    receiver: int
    quantity: int
    received: int = 0
    cancelled: int = 0

    @property
    def remaining(self) -> int:
        return self.quantity - self.received - self.cancelled


@dataclass
class ModelMovement:
    pk: int
    office: int
    quantity: int
    source: str  # the kind of the location it came from
    target: str
    reversal: bool = False
    reversed: bool = False


@dataclass
class Model:
    balances: list[dict[str, int]] = field(
        default_factory=lambda: [{"stock": 0, "spoiled": 0, "transit": 0} for _ in range(2)]
    )
    # The net of every location kind over both offices and the partner: what came in
    # minus what went out. SOURCE is negative: it is where blanks enter the books.
    net: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Kind.values, 0))
    loans: list[ModelLoan] = field(default_factory=list)
    shipments: list[ModelShipment] = field(default_factory=list)
    movements: list[ModelMovement] = field(default_factory=list)


COUNTED_TABLES = ("blanko_movement", "blanko_delivery", "blanko_loan", "blanko_shipment",
                  "blanko_stockcount", "blanko_destruction")


def row_counts() -> tuple:
    """The number of rows of every table a ledger write adds to, in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(
            f"(SELECT COUNT(*) FROM {table})" for table in COUNTED_TABLES))
        return cursor.fetchone()


class LedgerMachine(RuleBasedStateMachine):
    offices: tuple = ()
    supervisors: tuple = ()

    def __init__(self):
        super().__init__()
        # Each example runs after a savepoint that teardown() rolls back to: a bare
        # savepoint, not an atomic block, so that the durable services may run inside
        # the test's transaction, as they may in any django_db test.
        self.savepoint = transaction.savepoint()
        self.model = Model()
        self.counter = 0

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # Helpers

    def next_number(self) -> str:
        self.counter += 1
        return f"UJI/{self.counter}"

    def refused(self, call) -> None:
        # Row counts here; balances, loans and shipments are checked against the model
        # by the invariants after every step.
        before = row_counts()
        with pytest.raises(ValidationError):
            call()
        assert row_counts() == before

    def stock(self, index: int) -> int:
        return self.model.balances[index]["stock"]

    def transfer(self, sender: int, source: str, receiver: int, target: str,
                 quantity: int) -> None:
        for index, kind, delta in ((sender, source, -quantity), (receiver, target, quantity)):
            self.model.net[kind] += delta
            if kind in self.model.balances[index]:
                self.model.balances[index][kind] += delta

    def move(self, index: int, source: str, target: str, quantity: int) -> None:
        self.transfer(index, source, index, target, quantity)

    def remember(self, movement: Movement, index: int, source: str, target: str) -> None:
        self.model.movements.append(ModelMovement(movement.pk, index, movement.quantity,
                                                  source, target))

    # Rules

    @rule(index=OFFICE, quantity=st.integers(min_value=1, max_value=60))
    def receive(self, index, quantity):
        movement = services.receive_allocation(
            office=self.offices[index], quantity=quantity, reference=self.next_number(),
            by=self.supervisors[index])
        self.move(index, "source", "stock", quantity)
        self.remember(movement, index, "source", "stock")

    @rule(index=OFFICE)
    def issue(self, index):
        call = lambda: services.issue_blank(office=self.offices[index],  # noqa: E731
                                            by=self.supervisors[index])
        if self.stock(index) == 0:
            self.refused(call)
            return
        self.remember(call(), index, "stock", "issued")
        self.move(index, "stock", "issued", 1)

    @rule(index=OFFICE, quantity=st.integers(min_value=1, max_value=8),
          cause=st.sampled_from(Cause.values))
    def spoil(self, index, quantity, cause):
        def call():
            return services.spoil_blank(office=self.offices[index], by=self.supervisors[index],
                                        cause=cause, quantity=quantity)

        if quantity > self.stock(index):
            self.refused(call)
            return
        self.remember(call(), index, "stock", "spoiled")
        self.move(index, "stock", "spoiled", quantity)

    @rule(index=OFFICE, quantity=st.integers(min_value=1, max_value=8))
    def destroy(self, index, quantity):
        def call():
            return services.destroy_spoiled(office=self.offices[index], quantity=quantity,
                                            number=self.next_number(),
                                            by=self.supervisors[index])

        if quantity > self.model.balances[index]["spoiled"]:
            self.refused(call)
            return
        self.remember(call().movement, index, "spoiled", "destroyed")
        self.move(index, "spoiled", "destroyed", quantity)

    @rule(index=OFFICE, quantity=SMALL)
    def lend_to_partner(self, index, quantity):
        def call():
            return services.lend_to_partner(office=self.offices[index],
                                            partner_code=PARTNER_BINTAN, quantity=quantity,
                                            reference=self.next_number(),
                                            by=self.supervisors[index])

        if quantity > self.stock(index):
            self.refused(call)
            return
        loan = call()
        self.model.loans.append(ModelLoan(loan.pk, "lent", None, index, delivered=quantity))
        self.move(index, "stock", "partner", quantity)

    @rule(index=OFFICE, quantity=SMALL)
    def borrow_from_partner(self, index, quantity):
        loan = services.borrow_from_partner(office=self.offices[index],
                                            partner_code=PARTNER_BINTAN, quantity=quantity,
                                            reference=self.next_number(),
                                            by=self.supervisors[index])
        self.model.loans.append(ModelLoan(loan.pk, "borrowed", index, None, delivered=quantity))
        self.move(index, "partner", "stock", quantity)

    @rule(lender=OFFICE, quantity=SMALL)
    def lend_to_office(self, lender, quantity):
        borrower = 1 - lender

        def call():
            return services.lend_to_office(lender=self.offices[lender],
                                           borrower=self.offices[borrower], quantity=quantity,
                                           reference=self.next_number(),
                                           by=self.supervisors[lender])

        if quantity > self.stock(lender):
            self.refused(call)
            return
        loan = call()
        model_loan = ModelLoan(loan.pk, "office", borrower, lender)
        self.model.loans.append(model_loan)
        self.model.shipments.append(ModelShipment(
            loan.shipments.get().pk, model_loan, Shipment.Kind.LOAN, lender, borrower, quantity))
        self.move(lender, "stock", "transit", quantity)

    @precondition(lambda self: self.model.shipments)
    @rule(pick=INDEX, quantity=st.integers(min_value=1, max_value=35))
    def confirm_receipt(self, pick, quantity):
        shipment = self.model.shipments[pick % len(self.model.shipments)]

        def call():
            return services.confirm_receipt(shipment=Shipment.objects.get(pk=shipment.pk),
                                            quantity=quantity,
                                            by=self.supervisors[shipment.receiver])

        if quantity > shipment.remaining:
            self.refused(call)
            return
        call()
        shipment.received += quantity
        if shipment.kind == Shipment.Kind.LOAN:
            shipment.loan.delivered += quantity
        else:
            shipment.loan.repaid += quantity
        self.transfer(shipment.sender, "transit", shipment.receiver, "stock", quantity)

    @precondition(lambda self: self.model.shipments)
    @rule(pick=INDEX, by_receiver=st.booleans())
    def cancel_shipment(self, pick, by_receiver):
        shipment = self.model.shipments[pick % len(self.model.shipments)]
        by = self.supervisors[shipment.receiver if by_receiver else shipment.sender]

        def call():
            return services.cancel_shipment(shipment=Shipment.objects.get(pk=shipment.pk),
                                            by=by, reason="uji")

        if shipment.remaining == 0:
            self.refused(call)
            return
        call()
        remaining = shipment.remaining
        shipment.cancelled += remaining
        self.move(shipment.sender, "transit", "stock", remaining)

    @precondition(lambda self: self.model.loans)
    @rule(pick=INDEX, quantity=SMALL)
    def repay_loan(self, pick, quantity):
        loan = self.model.loans[pick % len(self.model.loans)]
        in_transit = sum(s.remaining for s in self.model.shipments
                         if s.loan is loan and s.kind == Shipment.Kind.REPAYMENT)
        owed = loan.delivered - loan.repaid - in_transit
        recorder = loan.borrower if loan.borrower is not None else loan.lender
        outgoing = loan.kind in ("borrowed", "office")

        def call():
            return services.repay_loan(loan=Loan.objects.get(pk=loan.pk), quantity=quantity,
                                       by=self.supervisors[recorder])

        if quantity > owed or (outgoing and quantity > self.stock(recorder)):
            self.refused(call)
            return
        movement = call()
        if loan.kind == "office":
            self.model.shipments.append(ModelShipment(
                movement.loan.shipments.latest("pk").pk, loan, Shipment.Kind.REPAYMENT,
                recorder, loan.lender, quantity))
            self.move(recorder, "stock", "transit", quantity)
        elif loan.kind == "borrowed":
            loan.repaid += quantity
            self.move(recorder, "stock", "partner", quantity)
        else:
            loan.repaid += quantity
            self.move(recorder, "partner", "stock", quantity)

    @rule(index=OFFICE, difference=st.integers(min_value=-10, max_value=10))
    def count_stock(self, index, difference):
        counted = self.stock(index) + difference

        def call():
            return services.record_stock_count(office=self.offices[index],
                                               counted_quantity=counted,
                                               by=self.supervisors[index], reason="opname uji")

        if counted < 0:
            self.refused(call)
            return
        count = call()
        assert count.difference == difference
        if difference > 0:
            self.remember(count.movement, index, "adjustment", "stock")
            self.move(index, "adjustment", "stock", difference)
        elif difference < 0:
            self.remember(count.movement, index, "stock", "adjustment")
            self.move(index, "stock", "adjustment", -difference)
        else:
            assert count.movement is None

    @precondition(lambda self: self.model.movements)
    @rule(pick=INDEX)
    def reverse(self, pick):
        original = self.model.movements[pick % len(self.model.movements)]
        index = original.office

        def call():
            return services.reverse_movement(movement=Movement.objects.get(pk=original.pk),
                                             by=self.supervisors[index], reason="uji")

        drawn_from = self.model.balances[index].get(original.target)
        if original.reversal or original.reversed or (
            drawn_from is not None and drawn_from < original.quantity
        ):
            self.refused(call)
            return
        reversal = call()
        original.reversed = True
        self.move(index, original.target, original.source, original.quantity)
        self.model.movements.append(ModelMovement(
            reversal.pk, index, reversal.quantity, original.target, original.source,
            reversal=True))

    # Invariants

    @invariant()
    def balances_equal_the_net_of_their_movements(self):
        assert selectors.ledger_drift() == []

    @invariant()
    def balances_match_the_model_and_never_go_negative(self):
        found = [{}, {}]
        office_index = {office.pk: index for index, office in enumerate(self.offices)}
        for office_id, kind, quantity in Balance.objects.filter(
            location__office__in=self.offices
        ).values_list(
            "location__office_id", "location__kind", "quantity"
        ):
            assert quantity >= 0
            found[office_index[office_id]][kind] = quantity
        assert found == self.model.balances

    @invariant()
    def loans_and_shipments_match_the_model(self):
        loans = {pk: (delivered, repaid) for pk, delivered, repaid in
                 Loan.objects.values_list("pk", "delivered_quantity", "repaid_quantity")}
        assert loans == {loan.pk: (loan.delivered, loan.repaid) for loan in self.model.loans}
        shipments = {pk: (received, cancelled) for pk, received, cancelled in
                     Shipment.objects.values_list("pk", "received_quantity",
                                                  "cancelled_quantity")}
        assert shipments == {s.pk: (s.received, s.cancelled) for s in self.model.shipments}

    @invariant()
    def no_blank_appears_or_vanishes(self):
        net = dict.fromkeys(Kind.values, 0)
        for source, target, total in (
            Movement.objects.values_list("from_location__kind", "to_location__kind")
            .annotate(total=Sum("quantity")).values_list("from_location__kind",
                                                         "to_location__kind", "total")
            .order_by()
        ):
            net[source] -= total
            net[target] += total
        assert net == self.model.net
        assert sum(net.values()) == 0
        left_source = -net.pop(Kind.SOURCE)
        assert left_source >= 0
        assert sum(net.values()) == left_source


@pytest.mark.django_db
def test_random_operations_keep_the_ledger_balanced(office, other_office, supervisor,
                                                    other_supervisor):
    machine = type("TwoOfficeLedger", (LedgerMachine,), {
        "offices": (office, other_office),
        "supervisors": (supervisor, other_supervisor),
    })
    run_state_machine_as_test(machine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
