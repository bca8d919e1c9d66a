"""Concurrent postings on PostgreSQL: no overdraw, no deadlock, no double write.

Each test starts its threads together at a barrier; each thread has its own
database connection and closes it when done. SQLite serialises writers and has
no row locks, so these tests skip there.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command

from blanko import selectors, services
from blanko.exceptions import InsufficientStock
from blanko.models import Balance, Delivery, Loan, Location, Movement, Office, Shipment
from blanko.services.posting import today
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Kind = Location.Kind
WORKERS = 8


def fresh(model, pk):
    """Each thread reads its own instances (and its own permission cache)."""
    return model.objects.get(pk=pk)


def assert_ledger_clean() -> None:
    assert selectors.ledger_drift() == []
    assert not Balance.objects.filter(quantity__lt=0).exists()
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "tidak ada selisih" in out.getvalue()


def test_concurrent_draws_never_overdraw_the_store(postgres_only, office, operator, receive):
    receive(office, 25)
    draws_each = 5

    def work(_: int) -> Counter:
        me, here = fresh(User, operator.pk), fresh(Office, office.pk)
        outcome = Counter()
        for _ in range(draws_each):
            try:
                services.issue_blank(office=here, by=me)
                outcome["issued"] += 1
            except InsufficientStock:
                outcome["empty"] += 1
        return outcome

    results = run_together(WORKERS, work)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    total = sum(results, Counter())
    assert total == Counter(issued=25, empty=WORKERS * draws_each - 25)
    assert selectors.stock_on_hand(office=office) == 0
    assert Movement.objects.filter(reason=Movement.Reason.ISSUE).count() == 25
    assert_ledger_clean()


def test_transfers_in_opposite_directions_do_not_deadlock(
    postgres_only, office, other_office, root, receive
):
    """Postings lock their balance rows in one global order, whatever their direction."""
    receive(office, 500)
    receive(other_office, 500)
    a_stock = services.office_location(office, Kind.STOCK)
    b_stock = services.office_location(other_office, Kind.STOCK)
    rounds = 15

    def work(i: int) -> int:
        me = fresh(User, root.pk)
        source, target = (a_stock, b_stock) if i % 2 else (b_stock, a_stock)
        for _ in range(rounds):
            services.post_movement(from_location=source, to_location=target, quantity=1,
                                   reason=Movement.Reason.LOAN_OUT, by=me, reference="uji")
        return rounds

    results = run_together(WORKERS, work)
    assert results == [rounds] * WORKERS
    assert selectors.stock_on_hand(office=office) == 500
    assert selectors.stock_on_hand(office=other_office) == 500
    assert_ledger_clean()


def test_loans_both_ways_with_receipts_do_not_deadlock(
    postgres_only, office, other_office, supervisor, other_supervisor, receive
):
    """A lends to B and confirms B's shipments while B does the mirror image.

    Lending locks the lender's STOCK and TRANSIT; confirming locks the sender's
    TRANSIT and the receiver's STOCK: taken in a naive order these four form a cycle.
    """
    receive(office, 500)
    receive(other_office, 500)
    rounds = 10
    sides = [(office, other_office, supervisor), (other_office, office, other_supervisor)]
    # One shipment per worker, coming from the other side, to confirm in parts.
    incoming = []
    for i in range(WORKERS):
        mine, theirs, _ = sides[i % 2]
        their_supervisor = sides[1 - i % 2][2]
        loan = services.lend_to_office(lender=theirs, borrower=mine, quantity=rounds,
                                       reference=f"470/{i}", by=their_supervisor)
        incoming.append(loan.shipments.get().pk)

    def work(i: int) -> int:
        mine, theirs, me = sides[i % 2]
        mine, theirs, me = fresh(Office, mine.pk), fresh(Office, theirs.pk), fresh(User, me.pk)
        for n in range(rounds):
            services.lend_to_office(lender=mine, borrower=theirs, quantity=1,
                                    reference=f"470/{i}/{n}", by=me)
            services.confirm_receipt(shipment=fresh(Shipment, incoming[i]), quantity=1, by=me)
        return rounds

    results = run_together(WORKERS, work)
    assert results == [rounds] * WORKERS
    assert not Shipment.objects.filter(pk__in=incoming,
                                       status=Shipment.Status.IN_TRANSIT).exists()
    for each in (office, other_office):
        balances = selectors.office_balances(office=each)
        # Each side sent 4 workers x 10 blanks that are still in transit, and got
        # back as many as it had sent in the first place.
        assert (balances["stock"], balances["transit"]) == (460, 40)
    assert_ledger_clean()


def _issue(scene: dict, key: str):
    return services.issue_blank(office=scene["office"], by=scene["operator"],
                                reference="REG-1", idempotency_key=key)


def _receive(scene: dict, key: str):
    return services.receive_allocation(office=scene["office"], quantity=40,
                                       reference="BAST/SAMA", by=scene["supervisor"],
                                       idempotency_key=key)


def _borrow(scene: dict, key: str):
    return services.borrow_from_partner(office=scene["office"], partner_code="2101",
                                        quantity=30, reference="470/SAMA",
                                        by=scene["supervisor"], idempotency_key=key)


def _lend(scene: dict, key: str):
    return services.lend_to_office(lender=scene["office"], borrower=scene["other_office"],
                                   quantity=30, reference="470/SAMA", by=scene["supervisor"],
                                   idempotency_key=key)


def _destroy(scene: dict, key: str):
    return services.destroy_spoiled(office=scene["office"], quantity=3, number="BA/SAMA",
                                    by=scene["supervisor"], idempotency_key=key)


def _confirm(scene: dict, key: str):
    return services.confirm_receipt(shipment=fresh(Shipment, scene["shipment"]), quantity=4,
                                    by=scene["supervisor"], idempotency_key=key)


def _repay(scene: dict, key: str):
    return services.repay_loan(loan=fresh(Loan, scene["partner_loan"]), quantity=4,
                               by=scene["supervisor"], idempotency_key=key)


SAME_KEY_CALLS = {
    "issue_blank": _issue,
    "receive_allocation": _receive,
    "borrow_from_partner": _borrow,
    "lend_to_office": _lend,
    "destroy_spoiled": _destroy,
    "confirm_receipt": _confirm,
    "repay_loan": _repay,
}


@pytest.mark.parametrize("name", SAME_KEY_CALLS)
def test_concurrent_requests_with_the_same_key_write_once(
    postgres_only, office, other_office, operator, supervisor, other_supervisor, receive, name
):
    receive(office, 100)
    receive(other_office, 100)
    services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED, quantity=5)
    shipment = services.lend_to_office(lender=other_office, borrower=office, quantity=10,
                                       reference="470/BTM", by=other_supervisor).shipments.get()
    partner_loan = services.borrow_from_partner(office=office, partner_code="2102",
                                                quantity=10, reference="470/K", by=supervisor)
    counts_before = {model: model.objects.count()
                     for model in (Movement, Delivery, Loan, Shipment)}
    balances_before = selectors.office_balances(office=office)

    def work(_: int):
        scene = {"office": fresh(Office, office.pk), "other_office": fresh(Office, other_office.pk),
                 "operator": fresh(User, operator.pk), "supervisor": fresh(User, supervisor.pk),
                 "shipment": shipment.pk, "partner_loan": partner_loan.pk}
        return SAME_KEY_CALLS[name](scene, "kunci-bersama")

    results = run_together(WORKERS, work)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == [], errors
    assert len({(type(r), r.pk) for r in results}) == 1  # every caller got the same answer
    [movement] = Movement.objects.filter(idempotency_key="kunci-bersama")
    added = {model: model.objects.count() - before for model, before in counts_before.items()}
    expected = {
        "issue_blank": (0, 0, 0), "receive_allocation": (1, 0, 0),
        "borrow_from_partner": (0, 1, 0), "lend_to_office": (0, 1, 1),
        "destroy_spoiled": (0, 0, 0), "confirm_receipt": (0, 0, 0), "repay_loan": (0, 0, 0),
    }[name]
    assert added == {Movement: 1, Delivery: expected[0], Loan: expected[1],
                     Shipment: expected[2]}
    change = {kind: selectors.office_balances(office=office)[kind] - balances_before[kind]
              for kind in balances_before}
    moved = movement.quantity
    assert change == {
        "issue_blank": {"stock": -1, "spoiled": 0, "transit": 0},
        "receive_allocation": {"stock": moved, "spoiled": 0, "transit": 0},
        "borrow_from_partner": {"stock": moved, "spoiled": 0, "transit": 0},
        "lend_to_office": {"stock": -moved, "spoiled": 0, "transit": moved},
        "destroy_spoiled": {"stock": 0, "spoiled": -moved, "transit": 0},
        "confirm_receipt": {"stock": moved, "spoiled": 0, "transit": 0},
        "repay_loan": {"stock": -moved, "spoiled": 0, "transit": 0},
    }[name]
    shipment.refresh_from_db()
    partner_loan.refresh_from_db()
    assert shipment.received_quantity == (4 if name == "confirm_receipt" else 0)
    assert partner_loan.repaid_quantity == (4 if name == "repay_loan" else 0)
    assert_ledger_clean()


def test_concurrent_receipts_of_one_bast_number_are_recorded_once(
    postgres_only, office, supervisor
):
    def work(i: int):
        return services.receive_allocation(
            office=fresh(Office, office.pk), quantity=10,
            reference="bast/001" if i % 2 else "BAST/001", by=fresh(User, supervisor.pk))

    results = run_together(WORKERS, work)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == WORKERS - 1
    assert all("sudah pernah dicatat" in str(r) for r in refused)
    assert Delivery.objects.count() == 1
    assert selectors.stock_on_hand(office=office) == 10
    assert_ledger_clean()


def test_a_month_close_and_back_dated_postings_do_not_interleave(
    postgres_only, office, supervisor, operator, receive
):
    """Either a back-dated draw lands before the close, or it is refused after it.

    close_month takes the office's balance locks, which every posting takes too;
    without them a draw could check for the close, then commit after it. Three
    rounds (three past months) make a race that slips through unlikely to go unseen.
    """
    first_of_this_month = today().replace(day=1)
    months = []
    for _ in range(3):
        first_of_this_month = (first_of_this_month - datetime.timedelta(days=1)).replace(day=1)
        months.append(first_of_this_month)
    receive(office, 200, occurred_on=months[-1])

    # Oldest first: the latest close is the lock date, so an earlier month cannot be
    # closed after a later one.
    for month in reversed(months):
        day = month.replace(day=20)

        def work(i: int, day=day):
            if i == 0:
                return services.close_month(office=fresh(Office, office.pk), month=day,
                                            by=fresh(User, supervisor.pk))
            return services.issue_blank(office=fresh(Office, office.pk),
                                        by=fresh(User, operator.pk), occurred_on=day)

        assert_drawn_before_the_close_or_refused(run_together(WORKERS, work))
    assert_ledger_clean()


def assert_drawn_before_the_close_or_refused(results: list) -> None:
    """results[0] is the month close; every draw either landed before the close took its
    locks, or was refused after it."""
    closed = results[0]
    assert not isinstance(closed, Exception), closed
    for result in results[1:]:
        if isinstance(result, Exception):
            assert isinstance(result, ValidationError) and "sudah ditutup" in str(result)
        else:
            assert result.recorded_at < closed.closed_at


def test_a_close_of_a_later_month_and_postings_dated_before_it_do_not_interleave(
    postgres_only, office, supervisor, operator, receive
):
    """The latest close is the lock date: a draw dated in an earlier, never closed month
    either lands before the close of a later month, or is refused after it."""
    last_month = (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    earlier = (last_month - datetime.timedelta(days=40)).replace(day=10)
    receive(office, 200, occurred_on=earlier)

    def work(i: int):
        if i == 0:
            return services.close_month(office=fresh(Office, office.pk), month=last_month,
                                        by=fresh(User, supervisor.pk))
        return services.issue_blank(office=fresh(Office, office.pk),
                                    by=fresh(User, operator.pk), occurred_on=earlier)

    assert_drawn_before_the_close_or_refused(run_together(WORKERS, work))
    with pytest.raises(ValidationError, match="sudah ditutup"):
        services.issue_blank(office=office, by=operator, occurred_on=earlier)
    assert_ledger_clean()
