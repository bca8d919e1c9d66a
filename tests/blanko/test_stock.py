"""Receiving, drawing, spoiling, destroying and counting blanks."""

from __future__ import annotations

import datetime

import pytest

from blanko import selectors, services
from blanko.exceptions import InsufficientStock
from blanko.models import Delivery, Destruction, Location, Movement, StockCount
from blanko.services.offices import DITJEN_CODE
from blanko.services.posting import today
from tests.blanko.helpers import previous_month_day, refused

Reason = Movement.Reason
Cause = Movement.Cause


# Receipts and BAST numbers


def test_receive_allocation_posts_source_to_stock_with_a_delivery(office, supervisor):
    movement = services.receive_allocation(
        office=office, quantity=2_000, reference=" 470/0112/DUK/I/2020 ", by=supervisor,
        serial_start="2172-20-000001", serial_end="2172-20-002000",
    )
    assert movement.reason == Reason.RECEIPT_DITJEN
    assert movement.from_location.code == DITJEN_CODE
    assert movement.to_location.kind == Location.Kind.STOCK
    assert movement.reference == "470/0112/DUK/I/2020"
    delivery = Delivery.objects.get()
    assert (delivery.office, delivery.bast_number, delivery.quantity) == (
        office, "470/0112/DUK/I/2020", 2_000)
    assert delivery.movement == movement
    assert delivery.serial_end == "2172-20-002000"
    assert selectors.stock_on_hand(office=office) == 2_000


def test_receive_from_province_uses_the_province_source(office, supervisor):
    movement = services.receive_from_province(office=office, quantity=500,
                                              reference="027/BAST/KEPRI", by=supervisor)
    assert movement.reason == Reason.RECEIPT_PROVINCE
    assert movement.from_location.code == "SOURCE-PROV-21"
    assert movement.from_location.kind == Location.Kind.SOURCE


@pytest.mark.parametrize("reference", ["", "   ", None])
def test_a_receipt_needs_a_bast_number(office, supervisor, reference):
    with refused(match="Nomor BAST wajib diisi"):
        services.receive_allocation(office=office, quantity=10, reference=reference,
                                    by=supervisor)


@pytest.mark.parametrize("again", ["BAST/001", "bast/001", " Bast/001 "])
def test_a_bast_number_is_used_once_per_source(office, supervisor, again):
    services.receive_allocation(office=office, quantity=10, reference="BAST/001", by=supervisor)
    with refused(match="sudah pernah dicatat"):
        services.receive_allocation(office=office, quantity=10, reference=again, by=supervisor)


LOOK_ALIKE_BAST = [
    pytest.param("470/0112\u200b/DUK/I/2020", id="zero-width-space"),
    pytest.param("\ufeff470/0112/DUK/I/2020", id="byte-order-mark"),
    pytest.param("470/0112/DUK/I/2020\u200d", id="zero-width-joiner"),
    pytest.param("\u202a470/0112/DUK/I/2020\u202c", id="bidi-embedding"),
    pytest.param("470/01\u00ad12/DUK/I/2020", id="soft-hyphen"),
    pytest.param("470/0112/DUK/I/2020\x85\x07", id="c1-and-c0-controls"),
    pytest.param("\uff14\uff17\uff10/\uff10\uff11\uff11\uff12/DUK/I/2020", id="full-width-digits"),
    pytest.param("470\uff0f0112\uff0fDUK\uff0fI\uff0f2020", id="full-width-solidus"),
    pytest.param("470 / 0112 / DUK / I / 2020", id="spaces-around-slashes"),
    pytest.param("470/0112/DUK/I/2020\u00a0", id="no-break-space"),
    pytest.param("470\u22150112/DUK/I/2020", id="division-slash"),
    pytest.param("470\u20440112/DUK/I/2020", id="fraction-slash"),
]


@pytest.mark.parametrize("look_alike", [
    pytest.param("470/0112/DU\u041a/I/2020", id="cyrillic-ka"),
    pytest.param("470/0112/DUK/\u0406/2020", id="cyrillic-i"),
    pytest.param("\u0664\u0667\u0660/0112/DUK/I/2020", id="arabic-indic-digits"),
    pytest.param("470/0112/DUK/I/2020\u0301", id="combining-accent"),
])
def test_a_bast_number_with_letters_of_another_script_is_refused(office, supervisor,
                                                                  look_alike):
    """NFKC does not map these, so they would pass as a new number that looks the same."""
    services.receive_allocation(office=office, quantity=10, reference="470/0112/DUK/I/2020",
                                by=supervisor)
    with refused(match="huruf Latin"):
        services.receive_allocation(office=office, quantity=10, reference=look_alike,
                                    by=supervisor)


def test_a_typed_dash_in_a_bast_number_is_a_hyphen(office, supervisor):
    movement = services.receive_allocation(office=office, quantity=10,
                                           reference="BAST\u2013001\u2014A", by=supervisor)
    assert movement.reference == "BAST-001-A"


@pytest.mark.parametrize("again", LOOK_ALIKE_BAST)
def test_a_bast_number_that_only_looks_different_is_a_duplicate(office, supervisor, again):
    """Normalised (NFKC, no invisible characters, whitespace collapsed) before the check."""
    services.receive_allocation(office=office, quantity=10, reference="470/0112/DUK/I/2020",
                                by=supervisor)
    with refused(match="sudah pernah dicatat"):
        services.receive_allocation(office=office, quantity=10, reference=again, by=supervisor)


def test_a_bast_number_is_stored_normalised(office, supervisor):
    movement = services.receive_allocation(
        office=office, quantity=10, reference="\u200b\uff14\uff17\uff10 /0112/DUK/I/2020 ",
        by=supervisor)
    assert movement.reference == "470/0112/DUK/I/2020"
    assert movement.delivery.bast_number == "470/0112/DUK/I/2020"


def test_a_bast_number_of_invisible_characters_only_is_missing(office, supervisor):
    with refused(match="Nomor BAST wajib diisi"):
        services.receive_allocation(office=office, quantity=10, reference="\u200b\u2066\ufeff",
                                    by=supervisor)


@pytest.mark.parametrize("again", ["BA\u200b/1", "\uff22\uff21/\uff11", "BA / 1"])
def test_a_berita_acara_number_that_only_looks_different_is_a_duplicate(
        stocked, operator, supervisor, again):
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=4)
    services.destroy_spoiled(office=stocked, quantity=2, number="BA/1", by=supervisor)
    with refused(match="sudah dipakai"):
        services.destroy_spoiled(office=stocked, quantity=2, number=again, by=supervisor)


def test_a_bast_number_is_refused_even_for_another_office_of_the_same_source(
    office, other_office, supervisor, root
):
    services.receive_allocation(office=office, quantity=10, reference="BAST/001", by=supervisor)
    with refused(match="sudah pernah dicatat"):
        services.receive_allocation(office=other_office, quantity=10, reference="BAST/001",
                                    by=root)


def test_the_same_bast_number_from_another_source_is_allowed(office, supervisor):
    services.receive_allocation(office=office, quantity=10, reference="BAST/001", by=supervisor)
    services.receive_from_province(office=office, quantity=5, reference="BAST/001",
                                   by=supervisor)
    assert Delivery.objects.filter(bast_number="BAST/001").count() == 2
    assert selectors.stock_on_hand(office=office) == 15


# Drawing and spoiling


def test_issue_blank_moves_one_blank_from_stock_to_issued(stocked, operator):
    movement = services.issue_blank(office=stocked, by=operator, reference="REG-1")
    assert (movement.reason, movement.quantity) == (Reason.ISSUE, 1)
    assert movement.to_location.kind == Location.Kind.ISSUED
    assert selectors.stock_on_hand(office=stocked) == 99


def test_issue_blank_on_an_empty_store_raises_insufficient_stock(office, operator):
    with refused(InsufficientStock, match="tidak mencukupi") as info:
        services.issue_blank(office=office, by=operator)
    assert info.value.available == 0
    assert info.value.code == "insufficient_stock"


def test_the_last_blank_can_be_drawn_and_then_no_more(office, operator, receive):
    receive(office, 2)
    services.issue_blank(office=office, by=operator)
    services.issue_blank(office=office, by=operator)
    with refused(InsufficientStock):
        services.issue_blank(office=office, by=operator)
    assert selectors.stock_on_hand(office=office) == 0


def test_spoiling_more_than_is_on_hand_is_refused(office, operator, receive):
    receive(office, 3)
    with refused(InsufficientStock, match="tersedia 3, dibutuhkan 4") as info:
        services.spoil_blank(office=office, by=operator, cause=Cause.PRINT_FAILED, quantity=4)
    assert info.value.available == 3


def test_insufficient_stock_is_a_validation_error():
    from django.core.exceptions import ValidationError

    assert issubclass(InsufficientStock, ValidationError)


# Destruction


def test_destruction_moves_spoiled_blanks_to_destroyed(stocked, operator, supervisor):
    services.spoil_blank(office=stocked, by=operator, cause=Cause.ENCODE_FAILED, quantity=5)
    destruction = services.destroy_spoiled(office=stocked, quantity=3, number="BA-PMS/01",
                                           by=supervisor, witnesses="Inspektorat")
    movement = destruction.movement
    assert (movement.reason, movement.quantity) == (Reason.DESTROY, 3)
    assert movement.from_location.kind == Location.Kind.SPOILED
    assert movement.to_location.kind == Location.Kind.DESTROYED
    assert movement.reference == "BA-PMS/01"
    assert selectors.office_balances(office=stocked)["spoiled"] == 2
    assert selectors.stock_on_hand(office=stocked) == 95


def test_destroying_more_than_is_spoiled_is_refused(stocked, operator, supervisor):
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=2)
    with refused(InsufficientStock, match="tidak mencukupi"):
        services.destroy_spoiled(office=stocked, quantity=3, number="BA/1", by=supervisor)


@pytest.mark.parametrize("again", ["BA/1", "ba/1"])
def test_a_berita_acara_number_is_used_once_per_office(stocked, operator, supervisor, again):
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=4)
    services.destroy_spoiled(office=stocked, quantity=2, number="BA/1", by=supervisor)
    with refused(match="sudah dipakai"):
        services.destroy_spoiled(office=stocked, quantity=2, number=again, by=supervisor)


def test_another_office_may_use_the_same_berita_acara_number(
    stocked, other_office, operator, supervisor, other_supervisor, receive, other_operator
):
    receive(other_office, 5)
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=1)
    services.spoil_blank(office=other_office, by=other_operator, cause=Cause.DAMAGED, quantity=1)
    services.destroy_spoiled(office=stocked, quantity=1, number="BA/1", by=supervisor)
    services.destroy_spoiled(office=other_office, quantity=1, number="BA/1", by=other_supervisor)
    assert Destruction.objects.filter(number="BA/1").count() == 2


def test_a_destruction_needs_a_number(stocked, operator, supervisor):
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=1)
    with refused(match="Nomor berita acara wajib diisi"):
        services.destroy_spoiled(office=stocked, quantity=1, number="", by=supervisor)


# Stock counts (opname)


def test_a_count_above_the_system_posts_an_adjustment_into_stock(stocked, supervisor):
    count = services.record_stock_count(office=stocked, counted_quantity=103, by=supervisor,
                                        reason="3 blanko terselip di lemari")
    assert (count.system_quantity, count.counted_quantity, count.difference) == (100, 103, 3)
    movement = count.movement
    assert (movement.reason, movement.quantity) == (Reason.ADJUSTMENT, 3)
    assert movement.from_location.kind == Location.Kind.ADJUSTMENT
    assert movement.to_location.kind == Location.Kind.STOCK
    assert movement.note == "3 blanko terselip di lemari"
    assert selectors.stock_on_hand(office=stocked) == 103


def test_a_count_below_the_system_posts_an_adjustment_out_of_stock(stocked, supervisor):
    count = services.record_stock_count(office=stocked, counted_quantity=98, by=supervisor,
                                        reason="2 blanko cacat pabrik")
    movement = count.movement
    assert movement.quantity == 2
    assert movement.from_location.kind == Location.Kind.STOCK
    assert movement.to_location.kind == Location.Kind.ADJUSTMENT
    assert selectors.stock_on_hand(office=stocked) == 98


def test_a_count_with_a_difference_needs_a_reason(stocked, supervisor):
    with refused(match="alasan wajib diisi"):
        services.record_stock_count(office=stocked, counted_quantity=90, by=supervisor,
                                    reason="  ")


def test_a_count_without_a_difference_writes_no_movement(stocked, supervisor):
    movements = Movement.objects.count()
    count = services.record_stock_count(office=stocked, counted_quantity=100, by=supervisor)
    assert count.movement is None
    assert count.difference == 0
    assert count.counted_on == today()
    assert Movement.objects.count() == movements
    assert StockCount.objects.count() == 1


def test_a_back_dated_count_is_compared_with_the_stock_at_the_end_of_its_day(
    office, receive, supervisor, operator
):
    counted_on = today() - datetime.timedelta(days=2)
    receive(office, 100, occurred_on=counted_on)
    for _ in range(5):  # printed after the count was taken
        services.issue_blank(office=office, by=operator)
    count = services.record_stock_count(office=office, counted_quantity=97, by=supervisor,
                                        reason="3 blanko hilang", counted_on=counted_on)
    assert (count.system_quantity, count.difference) == (100, -3)
    assert (count.movement.occurred_on, count.movement.quantity) == (counted_on, 3)
    assert selectors.balance_as_of(office=office, day=counted_on) == 97
    assert selectors.stock_on_hand(office=office) == 92
    exact = services.record_stock_count(office=office, counted_quantity=97, by=supervisor,
                                        counted_on=counted_on)
    assert exact.movement is None  # the same shelf, counted again: no difference


@pytest.mark.parametrize("counted", [-1, True, 1.5, "100"])
def test_a_count_must_be_a_whole_number_of_zero_or_more(stocked, supervisor, counted):
    with refused(match="Jumlah fisik"):
        services.record_stock_count(office=stocked, counted_quantity=counted, by=supervisor,
                                    reason="uji")


def test_a_count_dated_in_a_closed_month_is_refused_even_without_a_difference(
    stocked, supervisor
):
    services.close_month(office=stocked, month=previous_month_day(), by=supervisor)
    with refused(match="sudah ditutup"):
        services.record_stock_count(office=stocked, counted_quantity=100, by=supervisor,
                                    counted_on=previous_month_day())


def test_a_count_dated_in_the_future_is_refused(stocked, supervisor):
    with refused(match="masa depan"):
        services.record_stock_count(office=stocked, counted_quantity=100, by=supervisor,
                                    counted_on=today() + datetime.timedelta(days=1))


def test_a_back_dated_count_records_its_date_on_the_adjustment(stocked, supervisor):
    day = previous_month_day(27)
    count = services.record_stock_count(office=stocked, counted_quantity=99, by=supervisor,
                                        counted_on=day, reason="1 hilang")
    assert count.counted_on == day
    assert count.movement.occurred_on == day


# Closing a month


def test_closing_the_current_or_a_future_month_is_refused(office, supervisor):
    with refused(match="sudah berakhir"):
        services.close_month(office=office, month=today(), by=supervisor)
    with refused(match="sudah berakhir"):
        services.close_month(office=office, month=today().replace(year=today().year + 1),
                             by=supervisor)


def test_a_month_is_closed_only_once(office, supervisor):
    closed = services.close_month(office=office, month=previous_month_day(20), by=supervisor)
    assert closed.month == previous_month_day(1)
    with refused(match="sudah ditutup"):
        services.close_month(office=office, month=previous_month_day(3), by=supervisor)


def test_after_a_close_no_posting_may_be_dated_in_that_month_for_that_office(
    stocked, other_office, supervisor, operator, other_supervisor, receive, other_operator
):
    receive(other_office, 10, occurred_on=previous_month_day(1))
    services.close_month(office=stocked, month=previous_month_day(), by=supervisor)
    day = previous_month_day(28)
    with refused(match="sudah ditutup"):
        services.issue_blank(office=stocked, by=operator, occurred_on=day)
    with refused(match="sudah ditutup"):
        services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, occurred_on=day)
    with refused(match="sudah ditutup"):
        services.receive_allocation(office=stocked, quantity=5, reference="BAST/X",
                                    by=supervisor, occurred_on=day)
    # Another office's month stays open.
    movement = services.issue_blank(office=other_office, by=other_operator, occurred_on=day)
    assert movement.occurred_on == day
    # And this office may still post today.
    assert services.issue_blank(office=stocked, by=operator).occurred_on == today()


def test_closing_a_month_before_the_latest_closed_one_is_refused(office, supervisor):
    """The latest close is the lock date: an earlier month is locked already."""
    services.close_month(office=office, month=datetime.date(2020, 10, 1), by=supervisor)
    with refused(match=r"10/2020 sudah ditutup") as info:
        services.close_month(office=office, month=datetime.date(2020, 3, 1), by=supervisor)
    assert list(info.value.message_dict) == ["month"]


def test_months_may_be_closed_with_a_gap_and_the_later_one_locks_the_gap(
        office, supervisor):
    services.close_month(office=office, month=datetime.date(2020, 3, 1), by=supervisor)
    services.close_month(office=office, month=datetime.date(2020, 10, 1), by=supervisor)
    with refused(match="sudah ditutup"):
        services.receive_allocation(office=office, quantity=5, reference="BAST/GAP",
                                    by=supervisor, occurred_on=datetime.date(2020, 7, 1))


def test_closing_a_month_before_e_ktp_began_is_refused(office, supervisor):
    with refused(match="sebelum Januari 2011") as info:
        services.close_month(office=office, month=datetime.date(2010, 12, 1), by=supervisor)
    assert list(info.value.message_dict) == ["month"]
