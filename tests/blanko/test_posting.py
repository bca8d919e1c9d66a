"""Rules every posting obeys: sane quantities, business dates, Indonesian errors."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blanko import selectors, services
from blanko.models import MAX_QUANTITY, Loan, Location, MonthClose, Movement, Shipment
from blanko.services.posting import EKTP_START, period_lock_date, today
from tests.blanko.helpers import PARTNER_BINTAN, previous_month_day, refused

BAD_QUANTITIES = [
    pytest.param(0, "lebih dari 0", id="zero"),
    pytest.param(-5, "lebih dari 0", id="negative"),
    pytest.param(True, "bilangan bulat", id="bool"),
    pytest.param(2.0, "bilangan bulat", id="float"),
    pytest.param("5", "bilangan bulat", id="string"),
    pytest.param(None, "bilangan bulat", id="none"),
    pytest.param(MAX_QUANTITY + 1, "tidak masuk akal", id="absurd"),
]


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_receive_allocation_refuses_a_bad_quantity(office, supervisor, quantity, message):
    with refused(match=message) as info:
        services.receive_allocation(office=office, quantity=quantity, reference="BAST/1",
                                    by=supervisor)
    assert "quantity" in info.value.message_dict


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_spoil_blank_refuses_a_bad_quantity(stocked, operator, quantity, message):
    with refused(match=message):
        services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.PRINT_FAILED,
                             quantity=quantity)


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_partner_loan_refuses_a_bad_quantity(stocked, supervisor, quantity, message):
    with refused(match=message):
        services.lend_to_partner(office=stocked, partner_code=PARTNER_BINTAN, quantity=quantity,
                                 reference="470/1", by=supervisor)
    with refused(match=message):
        services.borrow_from_partner(office=stocked, partner_code=PARTNER_BINTAN,
                                     quantity=quantity, reference="470/2", by=supervisor)


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_office_loan_refuses_a_bad_quantity(stocked, other_office, supervisor, quantity, message):
    with refused(match=message):
        services.lend_to_office(lender=stocked, borrower=other_office, quantity=quantity,
                                reference="470/3", by=supervisor)


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_destruction_refuses_a_bad_quantity(stocked, operator, supervisor, quantity, message):
    services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED, quantity=3)
    with refused(match=message):
        services.destroy_spoiled(office=stocked, quantity=quantity, number="BA/1", by=supervisor)


def test_the_largest_sane_quantity_is_accepted(office, supervisor):
    services.receive_allocation(office=office, quantity=MAX_QUANTITY, reference="BAST/BESAR",
                                by=supervisor)
    assert selectors.stock_on_hand(office=office) == MAX_QUANTITY


def test_a_future_date_is_refused(office, supervisor):
    tomorrow = today() + datetime.timedelta(days=1)
    with refused(match="masa depan"):
        services.receive_allocation(office=office, quantity=10, reference="BAST/1",
                                    by=supervisor, occurred_on=tomorrow)


def test_a_datetime_instead_of_a_date_is_refused(office, supervisor):
    with refused(match="Tanggal tidak valid"):
        services.receive_allocation(office=office, quantity=10, reference="BAST/1",
                                    by=supervisor, occurred_on=timezone.now())


def test_a_date_in_a_closed_month_is_refused(office, supervisor):
    services.close_month(office=office, month=previous_month_day(), by=supervisor)
    with refused(match="sudah ditutup"):
        services.receive_allocation(office=office, quantity=10, reference="BAST/1",
                                    by=supervisor, occurred_on=previous_month_day(3))


def test_back_dating_within_an_open_month_is_allowed_and_recorded(office, supervisor):
    day = previous_month_day(2)
    movement = services.receive_allocation(office=office, quantity=10, reference="BAST/1",
                                           by=supervisor, occurred_on=day)
    movement.refresh_from_db()
    assert movement.occurred_on == day
    assert timezone.localdate(movement.recorded_at) == today()
    assert movement.recorded_by == supervisor
    assert movement.delivery.received_on == day
    assert selectors.balance_as_of(office=office, day=day) == 10
    assert selectors.balance_as_of(office=office, day=day - datetime.timedelta(days=1)) == 0


def test_a_movement_without_a_date_is_dated_today(stocked, operator):
    movement = services.issue_blank(office=stocked, by=operator)
    assert movement.occurred_on == today()


def test_a_posting_records_the_balances_after_it(stocked, operator):
    movement = services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.INVALID,
                                    quantity=4, reference="cetak 1")
    assert movement.from_location.kind == Location.Kind.STOCK
    assert (movement.from_balance_after, movement.to_balance_after) == (96, 4)
    assert movement.cause == Movement.Cause.INVALID
    assert selectors.office_balances(office=stocked)["spoiled"] == 4


def test_spoiling_needs_a_valid_cause(stocked, operator):
    with refused(match="penyebab"):
        services.spoil_blank(office=stocked, by=operator, cause="lupa")


def test_a_note_longer_than_500_characters_is_refused(stocked, operator):
    with refused(match="terlalu panjang"):
        services.spoil_blank(office=stocked, by=operator, cause=Movement.Cause.DAMAGED,
                             note="x" * 501)


def _statements(captured) -> list[str]:
    """The data statements of a capture, without savepoints: "UPDATE blanko_balance"..."""
    found = []
    for query in captured.captured_queries:
        words = query["sql"].replace('"', "").split()
        if words[0] in {"SELECT", "UPDATE", "INSERT", "WITH"}:
            found.append(" ".join(words[:3] if words[0] == "INSERT" else words[:2]))
    return found


# PostgreSQL moves a single balance and inserts the movement in one statement.
POSTING = (["WITH moved"] if connection.vendor == "postgresql"
           else ["UPDATE blanko_balance", "INSERT INTO blanko_movement"])


def test_a_draw_dated_today_moves_the_balance_and_writes_the_movement_and_nothing_else(
        stocked, operator):
    services.issue_blank(office=stocked, by=operator)  # permissions and locations, cached
    with CaptureQueriesContext(connection) as captured:
        movement = services.issue_blank(office=stocked, by=operator, reference="REG-1")
    assert _statements(captured) == POSTING
    stored = Movement.objects.get(pk=movement.pk)
    fields = [field.attname for field in Movement._meta.concrete_fields]
    assert {f: getattr(movement, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert (stored.from_balance_after, stored.reference) == (98, "REG-1")
    assert not movement._state.adding


def test_a_back_dated_draw_checks_the_closed_months_and_the_days_since_under_the_lock(
        office, operator, receive):
    receive(office, 10, occurred_on=previous_month_day(1))
    services.issue_blank(office=office, by=operator)
    with CaptureQueriesContext(connection) as captured:
        services.issue_blank(office=office, by=operator, occurred_on=previous_month_day())
    # The closed months, then each later day's net movement of the store.
    assert _statements(captured) == [*POSTING[:1], "SELECT 1",
                                     "SELECT blanko_movement.occurred_on", *POSTING[1:]]


def test_recorded_at_is_taken_under_the_lock_and_follows_the_posting_order(stocked, operator):
    before = timezone.now()
    first = services.issue_blank(office=stocked, by=operator)
    second = services.issue_blank(office=stocked, by=operator)
    assert before <= first.recorded_at <= second.recorded_at <= timezone.now()
    stored = Movement.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [m.recorded_at for m in stored] == [first.recorded_at, second.recorded_at]


def test_near_the_end_of_a_month_a_draw_checks_the_closed_months_again(
        stocked, operator, supervisor, monkeypatch):
    """Another server whose clock runs a few minutes ahead may already have closed the
    month: within CLOCK_MARGIN of its end, the closed-month query is not skipped."""
    late_evening = datetime.datetime(2026, 11, 30, 23, 55,
                                     tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    monkeypatch.setattr(timezone, "now", lambda: late_evening)
    MonthClose.objects.create(office=stocked, month=datetime.date(2026, 11, 1),
                              closed_by=supervisor)
    with refused(match="sudah ditutup"):
        services.issue_blank(office=stocked, by=operator)


# The period lock date: closing a month locks every date up to its end, as a lock
# date does in accounting; and no date before e-KTP began (EKTP_START) is accepted.

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def close_january_to_october_2020(office, by) -> None:
    for month in range(1, 11):
        services.close_month(office=office, month=D(2020, month, 1), by=by)


@pytest.mark.parametrize("day", [D(2019, 12, 31), D(1, 1, 1), D(2020, 6, 15), D(2020, 10, 31)])
def test_a_delivery_dated_on_or_before_the_latest_closed_month_is_refused(
        office, supervisor, day):
    """The attack of issue 10: January to October 2020 are closed, and a delivery dated
    before them would rewrite the opening of every closed month's report."""
    close_january_to_october_2020(office, supervisor)
    with refused() as info:
        services.receive_allocation(office=office, quantity=500, reference="BAST/LAMA/1",
                                    by=supervisor, occurred_on=day)
    assert list(info.value.message_dict) == ["occurred_on"]


def test_the_day_after_the_lock_date_is_accepted(office, supervisor):
    close_january_to_october_2020(office, supervisor)
    movement = services.receive_allocation(office=office, quantity=500,
                                           reference="BAST/BARU/1", by=supervisor,
                                           occurred_on=D(2020, 11, 1))
    assert (movement.occurred_on, movement.delivery.received_on) == (D(2020, 11, 1),) * 2


def test_the_latest_closed_month_locks_the_open_months_before_it(stocked, supervisor):
    services.close_month(office=stocked, month=D(2020, 10, 1), by=supervisor)
    with refused(match=r"sudah ditutup.*31/10/2020") as info:
        services.issue_blank(office=stocked, by=supervisor, occurred_on=D(2020, 3, 15))
    assert list(info.value.message_dict) == ["occurred_on"]


def test_a_date_before_e_ktp_began_is_refused_when_nothing_is_closed(office, supervisor):
    assert D(2011, 1, 1) == EKTP_START
    with refused(match="1 Januari 2011") as info:
        services.receive_allocation(office=office, quantity=5, reference="BAST/2010",
                                    by=supervisor, occurred_on=EKTP_START - ONE_DAY)
    assert list(info.value.message_dict) == ["occurred_on"]
    with refused(match="1 Januari 2011"):
        services.receive_allocation(office=office, quantity=5, reference="BAST/0001",
                                    by=supervisor, occurred_on=D(1, 1, 1))
    movement = services.receive_allocation(office=office, quantity=5, reference="BAST/2011",
                                           by=supervisor, occurred_on=EKTP_START)
    assert movement.occurred_on == EKTP_START


def test_the_lock_date_is_the_end_of_the_latest_closed_month(office, other_office,
                                                             supervisor):
    assert period_lock_date(office=office) is None
    services.close_month(office=office, month=D(2020, 2, 10), by=supervisor)
    assert period_lock_date(office=office) == D(2020, 2, 29)
    services.close_month(office=office, month=D(2020, 10, 1), by=supervisor)
    assert period_lock_date(office=office) == D(2020, 10, 31)
    assert period_lock_date(office=other_office) is None


def test_another_office_is_not_locked_by_this_office_s_close(
        stocked, other_office, supervisor, receive, other_operator):
    services.close_month(office=stocked, month=D(2020, 10, 1), by=supervisor)
    receive(other_office, 10, occurred_on=D(2020, 3, 1))
    movement = services.issue_blank(office=other_office, by=other_operator,
                                    occurred_on=D(2020, 3, 15))
    assert movement.occurred_on == D(2020, 3, 15)


LOCKED_DAY = D(2020, 3, 15)  # before the closed October 2020, in a month never closed


def _post_on_locked_day(name, office, other_office, operator, supervisor, other_supervisor):
    common = {"occurred_on": LOCKED_DAY}
    if name == "receive_allocation":
        return services.receive_allocation(office=office, quantity=5, reference="BAST/K/1",
                                           by=supervisor, **common)
    if name == "receive_from_province":
        return services.receive_from_province(office=office, quantity=5, by=supervisor,
                                              reference="BAST/K/2", **common)
    if name == "issue_blank":
        return services.issue_blank(office=office, by=operator, **common)
    if name == "spoil_blank":
        return services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED,
                                    **common)
    if name == "destroy_spoiled":
        return services.destroy_spoiled(office=office, quantity=1, number="BA/K/1",
                                        by=supervisor, destroyed_on=LOCKED_DAY)
    if name == "record_stock_count":
        return services.record_stock_count(office=office, counted_quantity=90, by=supervisor,
                                           reason="selisih", counted_on=LOCKED_DAY)
    if name == "record_stock_count_without_difference":
        return services.record_stock_count(office=office, counted_quantity=80, by=supervisor,
                                           counted_on=LOCKED_DAY)
    if name == "borrow_from_partner":
        return services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN,
                                            quantity=5, reference="470/K/1", by=supervisor,
                                            **common)
    if name == "lend_to_partner":
        return services.lend_to_partner(office=office, partner_code=PARTNER_BINTAN, quantity=5,
                                        reference="470/K/2", by=supervisor, **common)
    if name == "lend_to_office":
        return services.lend_to_office(lender=office, borrower=other_office, quantity=5,
                                       reference="470/K/3", by=supervisor, **common)
    if name == "repay_loan":
        loan = Loan.objects.get(reference="470/OPEN")
        return services.repay_loan(loan=loan, quantity=1, by=supervisor, **common)
    if name == "confirm_receipt":
        shipment = Shipment.objects.get(loan__reference="470/SENT")
        return services.confirm_receipt(shipment=shipment, quantity=1, by=supervisor, **common)
    raise AssertionError(name)


@pytest.mark.parametrize("name", [
    "receive_allocation", "receive_from_province", "issue_blank", "spoil_blank",
    "destroy_spoiled", "record_stock_count", "record_stock_count_without_difference",
    "borrow_from_partner", "lend_to_partner", "lend_to_office", "repay_loan",
    "confirm_receipt",
])
def test_every_dated_service_refuses_a_date_on_or_before_the_lock_date(
        office, other_office, operator, supervisor, other_supervisor, name):
    early = D(2020, 1, 10)
    services.receive_allocation(office=office, quantity=100, reference="BAST/AWAL",
                                by=supervisor, occurred_on=early)
    services.spoil_blank(office=office, by=operator, cause=Movement.Cause.DAMAGED,
                         occurred_on=early)
    services.borrow_from_partner(office=office, partner_code=PARTNER_BINTAN, quantity=1,
                                 reference="470/OPEN", by=supervisor, occurred_on=early)
    services.receive_allocation(office=other_office, quantity=10, reference="BAST/BATAM",
                                by=other_supervisor, occurred_on=early)
    services.lend_to_office(lender=other_office, borrower=office, quantity=5,
                            reference="470/SENT", by=other_supervisor, occurred_on=early)
    services.close_month(office=office, month=D(2020, 10, 1), by=supervisor)
    with refused(match="sudah ditutup") as info:
        _post_on_locked_day(name, office, other_office, operator, supervisor,
                            other_supervisor)
    assert list(info.value.message_dict) == ["occurred_on"]


# --- A back-dated outflow may not leave a past day below zero -----------------------------


@pytest.mark.parametrize("backdated", ["lend", "destroy"])
def test_a_backdated_outflow_that_would_leave_a_past_day_negative_is_refused(
    office, supervisor, backdated
):
    services.receive_allocation(office=office, quantity=10, reference="BAST/1", by=supervisor,
                                occurred_on=previous_month_day(1))
    services.receive_allocation(office=office, quantity=100, reference="BAST/2", by=supervisor,
                                occurred_on=previous_month_day(20))
    if backdated == "destroy":
        for _ in range(15):
            services.spoil_blank(office=office, by=supervisor, cause="damaged")
    before = Movement.objects.count()
    # Lending 15 on the 10th: only 10 were there until the delivery of the 20th. The 15
    # spoiled blanks were spoiled today: on the 10th there were none to destroy.
    short, on = ((5, previous_month_day(19)) if backdated == "lend"
                 else (15, today() - datetime.timedelta(days=1)))
    with refused(match=f"minus {short} blanko pada {on:%d/%m/%Y}"):
        if backdated == "lend":
            services.lend_to_partner(office=office, partner_code=PARTNER_BINTAN, quantity=15,
                                     reference="470/1", by=supervisor,
                                     occurred_on=previous_month_day(10))
        else:
            services.destroy_spoiled(office=office, quantity=15, number="BA/1", by=supervisor,
                                     destroyed_on=previous_month_day(10))
    assert Movement.objects.count() == before
    assert not Loan.objects.exists()


def test_a_backdated_outflow_that_the_past_covers_is_accepted(office, supervisor):
    services.receive_allocation(office=office, quantity=10, reference="BAST/1", by=supervisor,
                                occurred_on=previous_month_day(1))
    services.receive_allocation(office=office, quantity=100, reference="BAST/2", by=supervisor,
                                occurred_on=previous_month_day(20))
    services.lend_to_partner(office=office, partner_code=PARTNER_BINTAN, quantity=10,
                             reference="470/1", by=supervisor, occurred_on=previous_month_day(10))
    assert selectors.balance_as_of(office=office, day=previous_month_day(10)) == 0
    assert selectors.stock_on_hand(office=office) == 100


def test_an_outflow_dated_today_reads_no_later_days(office, supervisor, stocked):
    with CaptureQueriesContext(connection) as queries:
        services.issue_blank(office=stocked, by=supervisor)
    assert not [q for q in queries.captured_queries if "GROUP BY" in q["sql"]]
