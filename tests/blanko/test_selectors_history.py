"""blanko.selectors.history: when an office's ledger begins, and when its store last moved."""

from __future__ import annotations

import datetime

from blanko import selectors, services

D = datetime.date


def test_the_ledger_begins_with_the_offices_earliest_business_date(
        office, other_office, supervisor, receive):
    assert selectors.first_movement_on(office=office) is None
    receive(other_office, 10, occurred_on=D(2023, 12, 1))  # another office's
    receive(office, 10, occurred_on=D(2024, 3, 2))
    assert selectors.first_movement_on(office=office) == D(2024, 3, 2)
    # Recorded later, dated earlier: the business date counts.
    receive(office, 5, occurred_on=D(2024, 2, 20))
    assert selectors.first_movement_on(office=office) == D(2024, 2, 20)


def test_the_stores_last_movement_is_the_newest_either_way_up_to_the_day(
        office, other_office, supervisor, receive):
    receive(office, 10, occurred_on=D(2024, 3, 2))
    services.issue_blank(office=office, by=supervisor, occurred_on=D(2024, 3, 10))
    services.spoil_blank(office=office, by=supervisor, cause="damaged",
                         occurred_on=D(2024, 3, 12))
    # The spoiled pile moving is not the store moving; nor is another office's store.
    services.destroy_spoiled(office=office, quantity=1, number="BA/1", by=supervisor,
                             destroyed_on=D(2024, 3, 20))
    receive(other_office, 5, occurred_on=D(2024, 3, 25))

    def last(day):
        return selectors.last_store_movement_on(office=office, as_of=day)

    assert [last(D(2024, 3, 1)), last(D(2024, 3, 2)), last(D(2024, 3, 11)),
            last(D(2024, 3, 31))] == [None, D(2024, 3, 2), D(2024, 3, 10), D(2024, 3, 12)]
