"""The living demo goes on: a later run appends the days since the last one, and a
first run on any day of the year tells the same story (the plan, without a database).
"""

from __future__ import annotations

import datetime

import pytest

from blanko import selectors
from blanko.models import BlankRequest, Movement, Shipment
from config.tooling.demo import ledger as demo
from config.tooling.demo.plan import LOANS, PACES, FirstRun, daily_use, days_between
from config.tooling.demo.province import seed_province
from tests.helpers import today

D = datetime.date
KEPRI = [pace.code for pace in PACES]


def recaps(code: str):
    return Movement.objects.filter(from_location__office__code=code,
                                   reason=Movement.Reason.ISSUE, occurred_on__year__gt=2020)


@pytest.mark.django_db
def test_a_later_run_appends_the_days_since_the_last(db):
    """First run ten days ago (its history ends then), then one today: the days between
    are added, the shipment at sea arrives TRANSIT_DAYS later, and the store is clean."""
    offices = demo.ensure_offices()
    users = demo.ensure_users(offices)
    earlier = today() - datetime.timedelta(days=10)
    seed_province(offices=offices, users=users, today=earlier)
    assert not Movement.objects.filter(occurred_on__gt=earlier).exists()
    asked = dict(BlankRequest.objects.values_list("office__code", "status"))
    assert asked == {"2103": BlankRequest.Status.SUBMITTED,
                     "2102": BlankRequest.Status.FORWARDED}
    assert BlankRequest.objects.filter(submitted_on__lt=earlier).count() == 2

    added = seed_province(offices=offices, users=users, today=today())
    assert added > 0
    # The requests of the first run are not made again, nor is the central store's stock.
    assert dict(BlankRequest.objects.values_list("office__code", "status")) == asked
    assert Movement.objects.filter(reason=Movement.Reason.PROCUREMENT).count() == 1
    new_days = [day for day in days_between(earlier + datetime.timedelta(days=1), today())
                if day.weekday() < 5]
    for code in KEPRI:
        assert sorted(recaps(code).filter(occurred_on__gt=earlier)
                      .values_list("occurred_on", flat=True)) == new_days, code
    shipment = Shipment.objects.get(loan__lender_office__code="2101", kind="loan")
    assert shipment.status == Shipment.Status.RECEIVED
    received_on = Movement.objects.get(loan=shipment.loan,
                                       reason=Movement.Reason.LOAN_IN).occurred_on
    assert received_on >= shipment.sent_on + datetime.timedelta(days=3)
    assert selectors.ledger_drift() == []
    assert seed_province(offices=offices, users=users, today=today()) == 0


@pytest.mark.parametrize("month", range(1, 13))
def test_a_first_run_on_any_day_never_runs_a_store_dry_and_leaves_natuna_short(month):
    """The plan alone (no database), for a run on a day of each month of a year."""
    run_on = D(2027, month, 3 + month)
    stock = {"2171": 4_923, "2172": 4_396}
    run = FirstRun.plan(today=run_on, paces=list(PACES), stock=stock, loans=list(LOANS),
                        new_offices={"2101", "2102", "2103", "2104", "2105"})
    used: dict[str, list[int]] = {pace.code: [] for pace in PACES}
    for day in days_between(run.start, run_on):
        for code, quantity in run.opening.get(day, []) + run.deliveries.get(day, []):
            stock[code] = stock.get(code, 0) + quantity
        for loan in run.loans_sent.get(day, []):
            stock[loan.lender] -= loan.quantity
        for loan in run.loans_received.get(day, []):
            stock[loan.borrower] += loan.quantity
        for pace in PACES:
            printed, ruined, _cause = daily_use(pace, day)
            stock[pace.code] -= printed + ruined
            used[pace.code].append(printed + ruined)
            assert stock[pace.code] > 0, (pace.code, day)
    cover = {code: stock[code] * 28 / sum(used[code][-28:]) for code in stock}
    assert {code for code, days in cover.items() if days < 14} == {"2103"}
