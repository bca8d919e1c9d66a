"""blanko.selectors.closing: the months an office closed and its destruction batches."""

from __future__ import annotations

import datetime

from blanko import selectors, services

D = datetime.date


def test_the_closed_months_and_the_close_of_one(office, other_office, supervisor,
                                                other_supervisor, receive):
    receive(office, 10, occurred_on=D(2024, 1, 5))
    assert selectors.closed_months(office=office) == set()
    assert selectors.month_close(office=office, month=D(2024, 1, 1)) is None
    services.close_month(office=office, month=D(2024, 1, 1), by=supervisor)
    services.close_month(office=office, month=D(2024, 2, 1), by=supervisor)
    services.close_month(office=other_office, month=D(2024, 3, 1), by=other_supervisor)
    assert selectors.closed_months(office=office) == {D(2024, 1, 1), D(2024, 2, 1)}
    close = selectors.month_close(office=office, month=D(2024, 2, 1))
    assert (close.month, close.closed_by) == (D(2024, 2, 1), supervisor)
    assert selectors.month_close(office=office, month=D(2024, 3, 1)) is None


def test_destruction_batches_newest_first_within_dates_and_only_the_offices_own(
        office, other_office, supervisor, other_supervisor, receive):
    receive(office, 10, occurred_on=D(2024, 3, 1))
    receive(other_office, 10, occurred_on=D(2024, 3, 1))
    services.spoil_blank(office=office, by=supervisor, cause="damaged", quantity=5,
                         occurred_on=D(2024, 3, 2))
    services.spoil_blank(office=other_office, by=other_supervisor, cause="damaged",
                         occurred_on=D(2024, 3, 2))
    first = services.destroy_spoiled(office=office, quantity=2, number="BA/1", by=supervisor,
                                     destroyed_on=D(2024, 3, 10))
    second = services.destroy_spoiled(office=office, quantity=3, number="BA/2", by=supervisor,
                                      destroyed_on=D(2024, 4, 2))
    theirs = services.destroy_spoiled(office=other_office, quantity=1, number="BA/1",
                                      by=other_supervisor, destroyed_on=D(2024, 3, 11))
    assert list(selectors.destructions(office=office)) == [second, first]
    assert list(selectors.destructions(office=office, start=D(2024, 3, 1),
                                       end=D(2024, 3, 31))) == [first]
    found = selectors.destruction(office=office, pk=first.pk)
    assert found == first and found.movement.recorded_by == supervisor
    assert selectors.destruction(office=office, pk=theirs.pk) is None
