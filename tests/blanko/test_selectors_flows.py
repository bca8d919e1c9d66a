"""blanko.selectors.flows: what a store used, what moved each day, a month's lines."""

from __future__ import annotations

import datetime

from django.db.models import F

from blanko import selectors, services
from blanko.models import Movement

D = datetime.date
Reason = Movement.Reason
Cause = Movement.Cause
MARCH = (D(2024, 3, 1), D(2024, 3, 31))


def out(office, by, day, quantity, *, cause=""):
    """A daily recap posting: an issue out of the store, or a spoil when a cause is given."""
    return services.post_movement(
        from_location=services.office_location(office, "stock"),
        to_location=services.office_location(office, "spoiled" if cause else "issued"),
        quantity=quantity, reason=Reason.SPOIL if cause else Reason.ISSUE, cause=cause,
        by=by, occurred_on=day, reference=f"Rekap {day}",
    )


def reverse_on(movement, by, day):
    """A reversal of `movement` dated `day` (reverse_movement dates it today)."""
    return services.post_movement(
        from_location=movement.to_location, to_location=movement.from_location,
        quantity=movement.quantity, reason=Reason.REVERSAL, by=by, occurred_on=day,
        reverses=movement, note="salah input",
    )


def test_use_is_what_the_store_issued_and_spoiled_less_the_reversals_by_the_end(
        office, other_office, third_office, supervisor, root, receive):
    receive(office, 100, occurred_on=D(2024, 2, 1))
    receive(other_office, 50, occurred_on=D(2024, 2, 1))
    out(office, supervisor, D(2024, 2, 29), 7)  # before the window
    out(office, supervisor, D(2024, 3, 5), 10)
    out(office, supervisor, D(2024, 3, 6), 2, cause=Cause.DAMAGED)
    reverse_on(out(office, supervisor, D(2024, 3, 7), 4), supervisor, D(2024, 3, 8))
    late = out(office, supervisor, D(2024, 3, 9), 3)
    reverse_on(late, supervisor, D(2024, 4, 2))  # after the end: still used on 31 March
    out(other_office, root, D(2024, 3, 20), 5)
    services.lend_to_office(lender=office, borrower=third_office, quantity=6, reference="L/1",
                            by=supervisor, occurred_on=D(2024, 3, 21))  # not use

    ids = [office.pk, other_office.pk, third_office.pk]
    assert selectors.used_by_office(office_ids=ids, start=MARCH[0], end=MARCH[1]) == {
        office.pk: 10 + 2 + 3, other_office.pk: 5}  # an office that used nothing is left out
    assert selectors.used_by_office(office_ids=ids, start=MARCH[0], end=D(2024, 4, 5)) == {
        office.pk: 10 + 2, other_office.pk: 5}


def test_the_daily_series_walks_the_count_back_day_by_day(office, supervisor, receive):
    receive(office, 100, occurred_on=D(2024, 3, 2))
    out(office, supervisor, D(2024, 3, 3), 10)
    mistake = out(office, supervisor, D(2024, 3, 3), 5)
    reverse_on(mistake, supervisor, D(2024, 3, 4))
    out(office, supervisor, D(2024, 3, 4), 1, cause=Cause.PRINT_FAILED)
    out(office, supervisor, D(2024, 3, 6), 2)  # after the end

    end = D(2024, 3, 5)
    stock = selectors.balance_as_of(office=office, day=end)
    series = selectors.daily_series(office=office, end=end, stock=stock, days=5)
    assert [(p.day, p.stock, p.received, p.used) for p in series] == [
        (D(2024, 3, 1), 0, 0, 0),
        (D(2024, 3, 2), 100, 100, 0),
        (D(2024, 3, 3), 85, 0, 10),  # the 5 reversed the next day are not use
        (D(2024, 3, 4), 89, 0, 1),  # a reversal puts back, it is not a receipt
        (D(2024, 3, 5), 89, 0, 0),
    ]
    for point in series:
        assert point.stock == selectors.balance_as_of(office=office, day=point.day)


def test_each_day_carries_what_came_in_and_went_out_and_its_opening_count(
        office, other_office, supervisor, receive):
    receive(office, 30, occurred_on=D(2024, 3, 1))
    services.lend_to_office(lender=office, borrower=other_office, quantity=5, reference="L/1",
                            by=supervisor, occurred_on=D(2024, 3, 1))
    mistake = out(office, supervisor, D(2024, 3, 2), 4)
    out(office, supervisor, D(2024, 3, 2), 21)  # empty at the end of 2 March
    reverse_on(mistake, supervisor, D(2024, 3, 4))  # 4 back in on an empty morning

    end = D(2024, 3, 4)
    stock = selectors.balance_as_of(office=office, day=end)
    series = selectors.daily_series(office=office, end=end, stock=stock, days=4)
    assert [(p.day, p.opening, p.came_in, p.went_out, p.stock, p.received, p.used)
            for p in series] == [
        (D(2024, 3, 1), 0, 30, 5, 25, 30, 0),  # the loan leaves: out, not use
        (D(2024, 3, 2), 25, 0, 25, 0, 0, 21),  # the 4 reversed later are not use
        (D(2024, 3, 3), 0, 0, 0, 0, 0, 0),
        (D(2024, 3, 4), 0, 4, 0, 4, 0, 0),  # a reversal comes in; it is not a receipt
    ]


def test_the_daily_series_of_many_stores_is_each_stores_own_in_three_queries(
        office, other_office, third_office, supervisor, root, receive,
        django_assert_num_queries):
    receive(office, 100, occurred_on=D(2024, 3, 2))
    receive(other_office, 40, occurred_on=D(2024, 3, 3))
    out(office, supervisor, D(2024, 3, 3), 10)
    reverse_on(out(office, supervisor, D(2024, 3, 4), 5), supervisor, D(2024, 3, 5))
    out(other_office, root, D(2024, 3, 5), 40)
    services.lend_to_office(lender=office, borrower=third_office, quantity=6, reference="L/2",
                            by=supervisor, occurred_on=D(2024, 3, 5))
    out(office, supervisor, D(2024, 3, 6), 2)  # after the end

    end = D(2024, 3, 5)
    ids = [office.pk, other_office.pk, third_office.pk]
    stock = {pk: selectors.balances_as_of(office_ids=[pk], day=end, today=D(2024, 3, 7))
             .get((pk, "stock"), 0) for pk in ids}
    with django_assert_num_queries(3):
        many = selectors.daily_series_by_office(office_ids=ids, end=end, stock=stock, days=5)
    for found in (office, other_office, third_office):
        assert many[found.pk] == selectors.daily_series(office=found, end=end,
                                                        stock=stock[found.pk], days=5)
    assert [p.stock for p in many[other_office.pk]] == [0, 0, 40, 40, 0]
    assert [p.used for p in many[office.pk]] == [0, 0, 10, 0, 0]


def test_store_windows_give_the_days_only_of_stores_that_may_have_started_one_empty(
        office, other_office, third_office, supervisor, root, receive,
        django_assert_num_queries):
    receive(office, 100, occurred_on=D(2024, 3, 1))  # 100 before the window, 60 out in it
    out(office, supervisor, D(2024, 3, 3), 50)
    reverse_on(out(office, supervisor, D(2024, 3, 4), 10), supervisor, D(2024, 3, 5))
    receive(other_office, 30, occurred_on=D(2024, 3, 1))  # 30 before, 30 out: near empty
    out(other_office, root, D(2024, 3, 3), 30)
    receive(other_office, 5, occurred_on=D(2024, 3, 5))
    end, ids = D(2024, 3, 5), [office.pk, other_office.pk, third_office.pk]
    stock = {office.pk: 50, other_office.pk: 5, third_office.pk: 0}
    with django_assert_num_queries(6):
        windows = selectors.store_windows(office_ids=ids, end=end, stock=stock, days=3)
    assert windows[office.pk] == selectors.StoreWindow(used=50, days=None)
    series = selectors.daily_series_by_office(office_ids=ids, end=end, stock=stock, days=3)
    assert windows[other_office.pk].days == series[other_office.pk]
    assert windows[third_office.pk].days == series[third_office.pk]  # never had any
    assert [(p.opening, p.stock) for p in series[other_office.pk]] == [(30, 0), (0, 0), (0, 5)]
    assert windows[other_office.pk].used == 30
    stock[other_office.pk], stock[third_office.pk] = 5, 0
    with django_assert_num_queries(3):  # no store near empty: no days read
        selectors.store_windows(office_ids=[office.pk], end=end, stock=stock, days=3)


def test_use_reversals_name_the_day_used_and_the_day_reversed(office, supervisor, receive):
    receive(office, 100, occurred_on=D(2024, 2, 1))
    reverse_on(out(office, supervisor, D(2024, 3, 2), 5), supervisor, D(2024, 3, 9))
    reverse_on(out(office, supervisor, D(2024, 3, 3), 2), supervisor, D(2024, 3, 3))
    reverse_on(out(office, supervisor, D(2024, 2, 20), 7), supervisor, D(2024, 3, 4))
    reverse_on(out(office, supervisor, D(2024, 3, 5), 1), supervisor, D(2024, 3, 20))
    assert selectors.use_reversals(office=office, start=D(2024, 3, 1), end=D(2024, 3, 10)) == [
        (D(2024, 3, 2), D(2024, 3, 9), 5),
        (D(2024, 3, 3), D(2024, 3, 3), 2),
    ]  # 20 February is before the start; the reversal of 5 March after the end


def test_the_flows_of_a_month_are_summed_per_reason_cause_and_side(
        office, other_office, supervisor, root, receive):
    receive(office, 100, occurred_on=D(2024, 2, 28))  # the month before
    receive(office, 50, occurred_on=D(2024, 3, 1))
    out(office, supervisor, D(2024, 3, 2), 10)
    out(office, supervisor, D(2024, 3, 2), 3)
    out(office, supervisor, D(2024, 3, 3), 4, cause=Cause.DAMAGED)
    services.destroy_spoiled(office=office, quantity=4, number="BA/1", by=supervisor,
                             destroyed_on=D(2024, 3, 30))
    receive(other_office, 20, occurred_on=D(2024, 3, 5))

    rows = selectors.flows_by_reason(office=office, start=MARCH[0], end=MARCH[1])
    assert sorted((r["reason"], r["cause"], r["source"], r["target"], r["total"])
                  for r in rows) == [
        ("destroy", "", "spoiled", "", 4),
        ("issue", "", "stock", "", 13),
        ("receipt_ditjen", "", "", "stock", 50),
        ("spoil", "damaged", "stock", "spoiled", 4),
    ]
    by_day = selectors.flows_by_reason(office=office, start=MARCH[0], end=MARCH[1],
                                       group_by={"day": F("occurred_on")})
    assert sorted((r["reason"], r["day"], r["total"]) for r in by_day
                  if r["reason"] == "issue") == [("issue", D(2024, 3, 2), 13)]
