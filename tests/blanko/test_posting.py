"""Rules every posting obeys: sane quantities, business dates, Indonesian errors."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blanko import selectors, services
from blanko.models import MAX_QUANTITY, Location, MonthClose, Movement
from blanko.services.posting import today
from tests.blanko.conftest import PARTNER_BINTAN, previous_month_day, refused

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


def test_a_back_dated_draw_checks_the_closed_months_under_the_lock(stocked, operator):
    services.issue_blank(office=stocked, by=operator)
    with CaptureQueriesContext(connection) as captured:
        services.issue_blank(office=stocked, by=operator, occurred_on=previous_month_day())
    assert _statements(captured) == [*POSTING[:1], "SELECT 1", *POSTING[1:]]


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
