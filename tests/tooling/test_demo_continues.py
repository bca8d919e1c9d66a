"""The living demo goes on: a later run appends the days since the last one, and a
first run on any day of the year tells the same story (the plan, without a database).
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest

from blanko import selectors
from blanko.models import BlankRequest, Movement, RebalancingProposal, Shipment
from config.tooling.demo import ledger as demo
from config.tooling.demo.plan import LOANS, PACES, FirstRun, daily_use, days_between
from config.tooling.demo.province import seed_province
from layanan.supervision import rebalancing
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
                     "2102": BlankRequest.Status.FORWARDED,
                     "2101": BlankRequest.Status.FORWARDED,
                     "2171": BlankRequest.Status.SUBMITTED}
    assert BlankRequest.objects.filter(submitted_on__lt=earlier).count() == 4
    # The first run sends the first proposal of that day's rebalancing plan, if any:
    # without the 2020 story, Tanjungpinang has no stock of its own to lend, and the
    # plan may propose nothing (test_demo_supply reads the demo's proposal).
    proposed = list(RebalancingProposal.objects.values_list("pk", "status"))
    assert len(proposed) <= 1

    added = seed_province(offices=offices, users=users, today=today())
    assert added > 0
    # The requests and the proposal of the first run are not made again, nor is the
    # central store's stock.
    assert dict(BlankRequest.objects.values_list("office__code", "status")) == asked
    assert list(RebalancingProposal.objects.values_list("pk", "status")) == proposed
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
    """The plan alone (no database), for a run on a day of each month of a year; the
    other stocks tell the network plans' story."""
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
    # The network plans' story (demo.plan, above PACES): the rebalancing plan's first
    # proposal is Tanjungpinang's loan to Bintan (the arithmetic alone, with the demo's
    # lead times and Bintan's 300 on their way to Natuna); Lingga and Anambas outlast
    # their lead times; Bintan is under its floor (lead time 30 + 14 days), so phase 1
    # of Ditjen's allocation plan gives it something.
    figures = [rebalancing.OfficeFigures(
        office=code, stock=stock[code], average=Fraction(sum(used[code][-28:]), 28),
        lead_time_days=demo.LEAD_TIME_DAYS.get(code, 30), code=code,
        incoming=300 if code == "2103" else 0) for code in sorted(stock)]
    first = rebalancing.plan(figures).proposals[0]
    assert (first.lender, first.borrower) == ("2172", "2101")
    assert cover["2104"] > demo.LEAD_TIME_DAYS["2104"]
    assert cover["2105"] > demo.LEAD_TIME_DAYS["2105"]
    assert cover["2101"] < 30 + 14
    # Batam's daily print quota (demo.plan, WAITING_REQUESTS): its stock at the start of
    # the day lasts fewer days than are left until the blanks of its request, made at
    # most three days before, are expected after its lead time.
    batam = (stock["2171"] + used["2171"][-1]) * 28 / sum(used["2171"][-28:])
    assert cover["2101"] < batam < demo.LEAD_TIME_DAYS["2171"] - 3
