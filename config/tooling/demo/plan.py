"""The plan of the living province (demo.province): paces, loans, and the first run.

Pure Python: nothing here reads or writes the database.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from blanko.models import MovementCause

SEED = "siblanko-kepri"
WINDOW_DAYS = 120
# The forecast's window (layanan.supervision.forecast): the first run sets the days of
# cover left today from the use over it.
USE_WINDOW_DAYS = 28
# A delivery is planned to find about FLOOR_DAYS of printing still in the store.
FLOOR_DAYS = 4
DESTROYED_AGO = 60
TRANSIT_DAYS = 3


@dataclass(frozen=True)
class Pace:
    code: str
    pace: int  # blanks printed on an ordinary weekday
    cover_days: int  # days of cover the first run leaves today, where a delivery sets it
    deliveries: tuple[int, ...] = ()  # days before today on which Ditjen deliveries arrive


# The covers also tell the network plans' story (layanan.supervision), on any day (the
# first run's plan, for every day of two years):
# - rebalancing: the first proposal is Tanjungpinang, on its 2020 stock (72 to 87 days
#   of cover), lending to Bintan, the lowest (32 to 40 days, having just lent 300 to
#   Natuna), 200 blanks on most days (100 or 300 on a few). Natuna, with those 300 on
#   their way, is no borrower of note: the plan counts blanks in transit. Lingga and
#   Anambas stay under Tanjungpinang or cannot lend 100 above what their long lead
#   times make them keep (49 and 59 days), a delivery rounded up to hundreds adding up
#   to 17 and 25 days of their slow use; yet above those lead times, so that they do
#   not run out before a shipment could reach them. The lender is thus the office of
#   `supervisor`, who can sign in and decide;
# - allocation: Bintan is under its floor (lead time 30 + 14 days), so phase 1 of
#   Ditjen's plan always gives it something;
# - the daily print quota: Batam's 45 to 50 days of cover, above Bintan's, are under
#   the 57 or more days left until its request's blanks are expected (its lead time is
#   60 days: demo.ledger.LEAD_TIME_DAYS; WAITING_REQUESTS below). So it is also the
#   office the rollup flags as running out before a shipment could reach it.
PACES = (
    Pace("2101", 18, 32, deliveries=(55,)),  # Bintan
    Pace("2102", 20, 30, deliveries=(90,)),  # Karimun, which also borrows from Batam
    Pace("2103", 10, 8),  # Natuna: nothing since it joined; about a week left today
    Pace("2104", 8, 50, deliveries=(40,)),  # Lingga
    Pace("2105", 5, 55, deliveries=(75,)),  # Kepulauan Anambas
    Pace("2171", 40, 45, deliveries=(30,)),  # Batam
    Pace("2172", 30, 40),  # Tanjungpinang: the stock left from 2020 lasts
)


@dataclass(frozen=True)
class LoanPlan:
    lender: str
    borrower: str
    quantity: int
    sent: int  # days before today
    received: int | None  # days before today; None: still in transit today
    due_in: int  # days after today
    letter: str  # the reference, with {month} (Roman) and {year}


LOANS = (
    LoanPlan("2171", "2102", 1_200, sent=45, received=44, due_in=18,
             letter="470/388/DUKCAPIL-BTM/{month}/{year}"),
    LoanPlan("2101", "2103", 300, sent=2, received=None, due_in=60,
             letter="470/112/DUKCAPIL-BTN/{month}/{year}"),
)


def daily_use(pace: Pace, day: datetime.date) -> tuple[int, int, str]:
    """(printed, ruined, cause) at an office on a date; nothing at weekends."""
    if day.weekday() >= 5:
        return 0, 0, ""
    rng = random.Random(f"{SEED}:{pace.code}:{day.isoformat()}")
    busy = (1.2, 1.0, 1.0, 1.0, 0.85)[day.weekday()]  # Monday's queue, Friday's prayers
    printed = max(1, round(pace.pace * busy * rng.uniform(0.75, 1.25)))
    ruined = rng.choice((0, 0, 0, 0, 1, 1, 2))
    return printed, ruined, rng.choice(MovementCause.values)


def days_between(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def weekday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def hundreds_up(quantity: int) -> int:
    return -(-quantity // 100) * 100


@dataclass
class FirstRun:
    """What the first run posts, day by day: every quantity worked out beforehand."""

    today: datetime.date
    start: datetime.date
    paces: list[Pace]
    new_offices: set[str]
    # Per day: (office code, quantity). A new office opens with a stock count; one with
    # a history gets a Ditjen delivery then, if its stock would not last.
    opening: dict[datetime.date, list[tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(list))
    deliveries: dict[datetime.date, list[tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(list))
    loans_sent: dict[datetime.date, list[LoanPlan]] = field(
        default_factory=lambda: defaultdict(list))
    loans_received: dict[datetime.date, list[LoanPlan]] = field(
        default_factory=lambda: defaultdict(list))

    def ago(self, days: int) -> datetime.date:
        return weekday_on_or_before(self.today - datetime.timedelta(days=days))

    @classmethod
    def plan(cls, *, today: datetime.date, paces: list[Pace], stock: dict[str, int],
             new_offices: set[str], loans: list[LoanPlan]) -> FirstRun:
        start = weekday_on_or_before(today - datetime.timedelta(days=WINDOW_DAYS))
        run = cls(today=today, start=start, paces=paces, new_offices=new_offices)
        for loan in loans:
            sent = run.ago(loan.sent)
            run.loans_sent[sent].append(loan)
            if loan.received is not None:
                run.loans_received[max(sent, run.ago(loan.received))].append(loan)
        for pace in paces:
            run._plan_office(pace, stock.get(pace.code, 0), loans)
        return run

    def _plan_office(self, pace: Pace, stock: int, loans: list[LoanPlan]) -> None:
        """Sizes the opening and the deliveries so that the store never runs dry, each
        delivery finds about FLOOR_DAYS of printing left, and today's stock lasts
        `cover_days` at the forecast's average."""
        days = list(days_between(self.start, self.today))
        used = {day: sum(daily_use(pace, day)[:2]) for day in days}
        outflow = dict(used)
        # Inflows, in date order: (day, order, kind, fixed quantity or None).
        points = [(self.start, 0, "open", None)]
        points += [(self.ago(n), 1, "deliver", None) for n in pace.deliveries]
        for day, plans in self.loans_sent.items():
            for loan in plans:
                if loan.lender == pace.code:
                    outflow[day] += loan.quantity
        for day, plans in self.loans_received.items():
            points += [(day, 2, "loan", loan.quantity) for loan in plans
                       if loan.borrower == pace.code]
        points.sort(key=lambda point: point[:2])
        window = days[-USE_WINDOW_DAYS:]
        target_today = -(-pace.cover_days * sum(used[d] for d in window) // USE_WINDOW_DAYS)
        for i, (day, _order, kind, fixed) in enumerate(points):
            last = i + 1 == len(points)
            until = self.today + datetime.timedelta(days=1) if last else points[i + 1][0]
            spent = sum(outflow[d] for d in days if day <= d < until)
            quantity = fixed
            if quantity is None:
                target = target_today if last else pace.pace * FLOOR_DAYS
                quantity = max(0, target - (stock - spent))
                if not (kind == "open" and pace.code in self.new_offices):
                    quantity = hundreds_up(quantity)  # Ditjen sends round numbers
                if quantity:
                    (self.opening if kind == "open" else self.deliveries)[day].append(
                        (pace.code, quantity))
            stock += quantity - spent


# The supply cycle today (demo.supply). Ditjen's central store got CENTRAL_STOCK_QUANTITY
# blanks CENTRAL_STOCK_AGO days ago, fewer than the requests waiting at Ditjen ask for
# (Karimun's 3,000 and Bintan's 1,500): the national allocation plan is short, so
# Ditjen sees it share the store, first each office's floor need (the shorter cover
# first), then the rest in proportion to what is still missing: about 1,650 for
# Karimun and 850 for Bintan. A round 2,500 (it was 40,000, which hid all of this), not
# the 3,000 Karimun alone asks for: a store that could fill the older request in full
# would not show why the plan shares it.
CENTRAL_STOCK_AGO = 21
CENTRAL_STOCK_QUANTITY = 2_500


@dataclass(frozen=True)
class RequestPlan:
    code: str
    quantity: int
    asked: int  # days before today
    forwarded: int | None  # days before today; None: still waiting at the province
    note: str


WAITING_REQUESTS = (
    # Natuna, about a week from running out, has just asked: waiting at the province.
    RequestPlan("2103", 900, asked=3, forwarded=None,
                note="Stok tinggal sekitar satu minggu; kebutuhan tiga bulan."),
    # Karimun asked for three months and the 1,200 it owes Batam: waiting at Ditjen.
    RequestPlan("2102", 3_000, asked=15, forwarded=10,
                note="Kebutuhan tiga bulan dan pengembalian pinjaman 1.200 ke Kota Batam."),
    # Bintan, with about five weeks of cover, asked for three months and a little more
    # before its stock falls under a shipment's lead time and the margin: waiting at
    # Ditjen beside Karimun's, so that the allocation plan shares the store over two.
    RequestPlan("2101", 1_500, asked=9, forwarded=7,
                note="Kebutuhan tiga bulan ke depan."),
    # Batam, still owed the 1,200 it lent Karimun, asked the day before: waiting at the
    # province. Its requests take 60 days (demo.ledger.LEAD_TIME_DAYS) and its stock
    # lasts about 45 (PACES: 45 to 50 at the start of any day), so it will not last until
    # the blanks are expected: its dashboard and print queue show the daily print quota
    # (layanan.supervision.quota), which no other office has. The stock's days of cover
    # stay the rebalancing plan's (above Bintan's), and the request, not forwarded, is
    # no part of Ditjen's allocation plan.
    RequestPlan("2171", 2_500, asked=1, forwarded=None,
                note="Kebutuhan tiga bulan; 1.200 blanko masih dipinjam Kabupaten Karimun."),
)
