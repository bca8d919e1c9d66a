"""Reads of the ledger: stock, balances, loans, the ledger page rows, past balances."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from blanko import selectors, services
from blanko.models import Movement, Office
from blanko.selectors import Outstanding
from blanko.services.posting import today
from tests.blanko.helpers import PARTNER_BINTAN, PARTNER_KARIMUN, previous_month_day

Reason = Movement.Reason


def test_stock_on_hand_follows_every_posting(office, operator, supervisor):
    assert selectors.stock_on_hand(office=office) == 0
    services.receive_allocation(office=office, quantity=10, reference="B/1", by=supervisor)
    services.issue_blank(office=office, by=operator)
    services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED, quantity=2)
    assert selectors.stock_on_hand(office=office) == 7


def test_stock_on_hand_is_per_office(stocked, other_office):
    assert selectors.stock_on_hand(office=stocked) == 100
    assert selectors.stock_on_hand(office=other_office) == 0


def test_office_balances_lists_each_physical_and_transit_location(
    stocked, other_office, operator, supervisor
):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=3)
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=10,
                            reference="470/1", by=supervisor)
    assert selectors.office_balances(office=stocked) == {
        "stock": 87, "spoiled": 3, "transit": 10}
    assert selectors.office_balances(office=other_office) == {
        "stock": 0, "spoiled": 0, "transit": 0}


def test_outstanding_loans_per_partner_and_direction(
    stocked, other_office, supervisor, other_supervisor, receive
):
    receive(other_office, 50)
    services.borrow_from_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=20,
                                 reference="a", by=supervisor, occurred_on=previous_month_day(3))
    second = services.borrow_from_partner(office=stocked, partner_code=PARTNER_BINTAN,
                                          quantity=5, reference="b", by=supervisor)
    services.repay_loan(loan=second, quantity=2, by=supervisor)
    services.lend_to_partner(office=stocked, partner_code=PARTNER_KARIMUN, quantity=7,
                             reference="c", by=supervisor)
    settled = services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=4,
                                       reference="d", by=supervisor)
    services.repay_loan(loan=settled, quantity=4, by=supervisor)
    # An office loan the other office sent us: 15 sent, 10 received so far.
    loan = services.lend_to_office(lender=other_office, borrower=stocked, quantity=15,
                                   reference="e", by=other_supervisor)
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=10, by=supervisor)

    assert selectors.outstanding_loans(office=stocked) == [
        Outstanding("2171 Kota Batam", "borrowed", 10, 5, today()),
        Outstanding("Disdukcapil Kabupaten Bintan", "borrowed", 23, 0, previous_month_day(3)),
        Outstanding("Disdukcapil Kabupaten Karimun", "lent", 7, 0, today()),
    ]
    assert selectors.outstanding_loans(office=other_office) == [
        Outstanding("2172 Kota Tanjungpinang", "lent", 10, 5, today()),
    ]


def test_outstanding_loans_count_a_repayment_in_transit(
    stocked, other_office, supervisor, other_supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                                   reference="470/1", by=supervisor)
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=30, by=other_supervisor)
    services.repay_loan(loan=loan, quantity=12, by=other_supervisor)
    [lent] = selectors.outstanding_loans(office=stocked)
    assert (lent.direction, lent.quantity, lent.in_transit) == ("lent", 30, 12)
    repayment = loan.shipments.get(kind="repayment")
    services.confirm_receipt(shipment=repayment, quantity=12, by=supervisor)
    [lent] = selectors.outstanding_loans(office=stocked)
    assert (lent.quantity, lent.in_transit) == (18, 0)


def test_cancelled_and_settled_loans_are_not_outstanding(stocked, other_office, supervisor):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    services.cancel_shipment(shipment=loan.shipments.get(), by=supervisor)
    assert selectors.outstanding_loans(office=stocked) == []
    assert selectors.outstanding_loans(office=other_office) == []


def test_pending_shipments_lists_what_travels_to_or_from_the_office(
    stocked, other_office, third_office, supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    assert list(selectors.pending_shipments(office=other_office)) == [loan.shipments.get()]
    assert list(selectors.pending_shipments(office=third_office)) == []


def test_office_movements_are_newest_first_with_the_stock_after_each(
    office, operator, supervisor
):
    day = previous_month_day(10)
    receipt = services.receive_allocation(office=office, quantity=10, reference="B/1",
                                          by=supervisor, occurred_on=day)
    issue = services.issue_blank(office=office, by=operator)
    spoil = services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED,
                                 quantity=2)
    back_dated = services.issue_blank(office=office, by=operator,
                                      occurred_on=day + datetime.timedelta(days=1))
    rows = list(selectors.office_movements(office=office))
    assert [row.pk for row in rows] == [spoil.pk, issue.pk, back_dated.pk, receipt.pk]
    # The store count right after each posting was recorded (the back-dated one came last).
    assert [row.stock_after for row in rows] == [7, 9, 6, 10]
    assert [row.signed_quantity for row in rows] == [-2, -1, -1, 10]


def test_office_movements_leave_out_other_offices(stocked, other_office, operator, receive):
    receive(other_office, 3)
    services.issue_blank(office=stocked, by=operator)
    assert selectors.office_movements(office=stocked).count() == 2
    assert selectors.office_movements(office=other_office).count() == 1


def test_office_movements_show_a_transfer_to_both_offices(
    stocked, other_office, supervisor, other_supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                                   reference="470/1", by=supervisor)
    receipt = services.confirm_receipt(shipment=loan.shipments.get(), quantity=5,
                                       by=other_supervisor)
    [mine] = selectors.office_movements(office=other_office)
    assert (mine.pk, mine.stock_after, mine.signed_quantity) == (receipt.pk, 5, 5)
    theirs = selectors.office_movements(office=stocked).get(pk=receipt.pk)
    assert (theirs.stock_after, theirs.signed_quantity) == (None, 0)


def test_office_movements_filter_by_reason_and_dates(office, operator, supervisor):
    early, late = previous_month_day(5), previous_month_day(20)
    services.receive_allocation(office=office, quantity=10, reference="B/1", by=supervisor,
                                occurred_on=early)
    services.issue_blank(office=office, by=operator, occurred_on=late)
    services.issue_blank(office=office, by=operator)

    def reasons(**filters):
        return [m.reason for m in selectors.office_movements(office=office, **filters)]

    assert reasons(reason=Reason.ISSUE) == [Reason.ISSUE, Reason.ISSUE]
    assert reasons(date_from=late) == [Reason.ISSUE, Reason.ISSUE]
    assert reasons(date_to=late) == [Reason.ISSUE, Reason.RECEIPT_DITJEN]
    assert reasons(date_from=early, date_to=early) == [Reason.RECEIPT_DITJEN]
    assert reasons(reason=Reason.RECEIPT_DITJEN, date_from=late) == []


def test_balance_as_of_counts_a_back_dated_movement_on_its_business_date(
    office, operator, supervisor
):
    services.receive_allocation(office=office, quantity=10, reference="B/1", by=supervisor,
                                occurred_on=previous_month_day(1))
    services.issue_blank(office=office, by=operator)  # today
    services.issue_blank(office=office, by=operator, occurred_on=previous_month_day(10))
    assert selectors.balance_as_of(office=office, day=previous_month_day(1)) == 10
    assert selectors.balance_as_of(office=office, day=previous_month_day(9)) == 10
    assert selectors.balance_as_of(office=office, day=previous_month_day(10)) == 9
    assert selectors.balance_as_of(office=office, day=today()) == 8
    assert selectors.balance_as_of(office=office, day=previous_month_day(10), kind="issued") == 1


def test_offices_with_stock_annotates_each_office(stocked, other_office):
    rows = selectors.offices_with_stock(offices=Office.objects.all())
    assert [(row.code, row.stock) for row in rows] == [("2171", 0), ("2172", 100)]


def test_ledger_drift_is_empty_for_a_ledger_written_by_the_services(
    stocked, other_office, operator, supervisor
):
    services.issue_blank(office=stocked, by=operator)
    services.lend_to_office(lender=stocked, borrower=other_office, quantity=5,
                            reference="470/1", by=supervisor)
    assert selectors.ledger_drift() == []


def test_balances_as_of_walks_the_balance_rows_back_to_the_ledger_sum(
    office, operator, supervisor
):
    services.receive_allocation(office=office, quantity=10, reference="B/1", by=supervisor,
                                occurred_on=previous_month_day(1))
    services.issue_blank(office=office, by=operator)  # today
    services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED,
                         occurred_on=previous_month_day(10))
    kinds = ("stock", "spoiled")
    for day in [previous_month_day(d) for d in (1, 9, 10, 20)] + [today()]:
        walked = selectors.balances_as_of(office_ids=[office.pk], day=day, kinds=kinds)
        assert walked == {(office.pk, kind): selectors.balance_as_of(office=office, day=day,
                                                                     kind=kind)
                          for kind in kinds}
    assert selectors.balances_as_of(office_ids=[office.pk], day=previous_month_day(10),
                                    kinds=kinds) == {(office.pk, "stock"): 9,
                                                     (office.pk, "spoiled"): 1}


def test_balances_as_of_reads_many_offices_in_one_statement_and_today_the_rows_alone(
    stocked, other_office, operator, other_operator, receive
):
    receive(other_office, 30, occurred_on=previous_month_day(2))
    services.issue_blank(office=stocked, by=operator)  # today
    services.issue_blank(office=other_office, by=other_operator,
                         occurred_on=previous_month_day(5))
    ids = [stocked.pk, other_office.pk]
    day = previous_month_day(3)
    with CaptureQueriesContext(connection) as past:
        counts = selectors.balances_as_of(office_ids=ids, day=day)
    # The 100 of `stocked` came in on the 1st, its issue today; the other office's issue
    # is dated after the day asked for.
    assert counts == {(stocked.pk, "stock"): 100, (other_office.pk, "stock"): 30}
    assert len(past.captured_queries) == 1  # one snapshot: rows and movements together
    with CaptureQueriesContext(connection) as now:
        counts = selectors.balances_as_of(office_ids=ids, day=today(), today=today())
    assert counts == {(stocked.pk, "stock"): 99, (other_office.pk, "stock"): 29}
    assert "movement" not in now.captured_queries[0]["sql"].lower()


def test_outstanding_loans_as_of_a_day_are_rebuilt_from_the_ledger_with_their_age(
    stocked, other_office, supervisor, other_supervisor
):
    opened = previous_month_day(3)
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                                   reference="470/1", by=supervisor, occurred_on=opened)
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=20,
                             by=other_supervisor, occurred_on=previous_month_day(6))
    services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=4,
                             reference="470/2", by=supervisor)  # today
    assert selectors.outstanding_loans(office=stocked, as_of=opened - datetime.timedelta(1)
                                       ) == []
    assert selectors.outstanding_loans(office=stocked, as_of=previous_month_day(4)) == [
        Outstanding("2171 Kota Batam", "lent", 0, 30, opened, age_days=1)]
    assert selectors.outstanding_loans(office=stocked, as_of=previous_month_day(6))[0] == (
        Outstanding("2171 Kota Batam", "lent", 20, 10, opened, age_days=3))
    # On today both roads agree; only the dated one says how old each row is.
    now, rebuilt = (selectors.outstanding_loans(office=stocked),
                    selectors.outstanding_loans(office=stocked, as_of=today()))
    strip = [(o.partner, o.direction, o.quantity, o.in_transit, o.oldest) for o in now]
    assert strip == [(o.partner, o.direction, o.quantity, o.in_transit, o.oldest)
                     for o in rebuilt]
    assert [o.age_days for o in now] == [None, None]
    assert [o.age_days for o in rebuilt] == [(today() - opened).days, 0]


def test_incoming_counts_what_travels_towards_each_office_now_or_on_a_past_day(
    stocked, other_office, third_office, supervisor, other_supervisor
):
    loan = services.lend_to_office(lender=stocked, borrower=other_office, quantity=30,
                                   reference="470/1", by=supervisor,
                                   occurred_on=previous_month_day(3))
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=20,
                             by=other_supervisor, occurred_on=previous_month_day(6))
    ids = [stocked.pk, other_office.pk, third_office.pk]

    def incoming(day):
        return selectors.incoming_by_office(office_ids=ids, as_of=day, today=today())

    assert incoming(previous_month_day(2)) == dict.fromkeys(ids, 0)
    assert incoming(previous_month_day(3)) == {**dict.fromkeys(ids, 0), other_office.pk: 30}
    assert incoming(previous_month_day(6)) == {**dict.fromkeys(ids, 0), other_office.pk: 10}
    assert incoming(today()) == {other_office.pk: 10}  # the shipment's remainder


def test_the_reversal_of_a_movement_is_found_once_it_is_posted(stocked, operator, supervisor):
    issue = services.issue_blank(office=stocked, by=operator)
    assert selectors.reversal_of(movement=issue) is None
    reversal = services.reverse_movement(movement=issue, by=supervisor, reason="salah input")
    assert selectors.reversal_of(movement=issue) == reversal
