"""The living province: the seven kab/kota of Kepulauan Riau, with histories up to today.

Called by `seed_demo` after the 2020 story, which it leaves as it is. The first run
posts the WINDOW_DAYS days up to today (Asia/Jakarta) for every office: printing on
each weekday at the office's own pace, ruined prints, Ditjen deliveries, a
destruction batch, and two loans between offices that are still open today (Batam
to Karimun, due in a few weeks; Bintan to Natuna, still at sea). The five kabupaten
join SiBlanko on the window's first day with a stock count; Natuna, which has had no
delivery since, has about a week of stock left. The first run also stocks Ditjen's
central store with fewer blanks than are asked of it and leaves four requests for
blanks on their way (demo.supply): Natuna's and Batam's waiting at the province (Batam's
gives it the daily print quota: demo.plan, WAITING_REQUESTS), Karimun's and Bintan's at
Ditjen; then the coordinator sends the first proposal of the day's
rebalancing plan, which waits for its lender (Tanjungpinang, lending to Bintan).

Each weekday's printing is one recap posting, so the last recap after 2020 says how
far an office's history has got. A later run appends the days since then, with the
same daily use and three rules for the rest (`_next_day`); a second run on the same
day adds nothing. The few other postings carry "demo:" idempotency keys, by which
the demo's loans are found again.

Deterministic: an office's use on a date comes from a random.Random seeded with
the office and the date alone, so a run on another day tells the same kind of
story, and the days two runs share hold the same use.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Max, Q

from blanko import access, services
from blanko.models import Balance, Loan, Location, Movement, Office, Shipment, StaffProfile
from config.tooling.demo.plan import (
    DESTROYED_AGO,
    LOANS,
    PACES,
    TRANSIT_DAYS,
    FirstRun,
    Pace,
    daily_use,
    days_between,
    hundreds_up,
)
from config.tooling.demo.supply import propose_rebalancing_today, seed_waiting_requests

Kind = Location.Kind
ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
KEY = "demo:"
RECAP = "Rekap cetak"
STORY_END = datetime.date(2020, 12, 31)
# A later run: an office asks Ditjen for more below REORDER_DAYS of printing and gets
# REORDER_SUPPLY_DAYS' worth; a borrower pays back, in hundreds, what it can spare
# above REPAY_KEEP_DAYS of printing once the loan is due.
REORDER_DAYS = 6
REORDER_SUPPLY_DAYS = 45
REPAY_KEEP_DAYS = 20

# The kabupaten's supervisors record their offices' history. They have no password:
# the province viewer (`provinsi`) reads every office; an administrator may give one.
RECORDERS = {
    "2101": ("kabid.bintan", "Tengku Irwan"),
    "2102": ("kabid.karimun", "Nurhayati Lubis"),
    "2103": ("kabid.natuna", "Wan Zulkifli"),
    "2104": ("kabid.lingga", "Raja Suryani"),
    "2105": ("kabid.anambas", "Hasanudin Ali"),
}


def ensure_recorders(offices: dict[str, Office]) -> dict[str, User]:
    supervisors = Group.objects.get(name=access.SUPERVISOR)
    users = {}
    for code, (username, full_name) in RECORDERS.items():
        first, _, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.set([supervisors])
            StaffProfile.objects.update_or_create(user=user, defaults={"office": offices[code]})
        users[code] = User.objects.get(pk=user.pk)
    return users


@dataclass(frozen=True)
class Hands:
    """Who records an office's postings: the counter's printing, and the rest."""

    printer: User
    supervisor: User


def _hands(users: dict[str, User], recorders: dict[str, User]) -> dict[str, Hands]:
    hands = {code: Hands(user, user) for code, user in recorders.items()}
    hands["2172"] = Hands(users["petugas"], users["supervisor"])
    hands["2171"] = Hands(users["batam"], users["batam"])
    return hands


class Poster:
    """Posts the demo's days through blanko.services, keeping count of every store (so
    that a day's printing never asks for more than is there)."""

    def __init__(self, offices: dict[str, Office], hands: dict[str, Hands]):
        self.offices, self.hands = offices, hands
        self.stock_location = {code: services.office_location(office, Kind.STOCK)
                               for code, office in offices.items()}
        self.stock = dict(Balance.objects.filter(
            location__in=self.stock_location.values()).values_list(
            "location__office__code", "quantity"))

    @staticmethod
    def key(code: str, day: datetime.date, what: str) -> str:
        return f"{KEY}{code}:{day.isoformat()}:{what}"

    def open_by_count(self, code: str, day: datetime.date, quantity: int) -> None:
        services.record_stock_count(
            office=self.offices[code], counted_quantity=quantity, counted_on=day,
            by=self.hands[code].supervisor,
            reason="Saldo awal saat mulai memakai SiBlanko (hasil opname)")
        self.stock[code] += quantity

    def deliver(self, code: str, day: datetime.date, quantity: int) -> None:
        services.receive_allocation(
            office=self.offices[code], quantity=quantity, occurred_on=day,
            reference=f"470/{day:%j}{code[2:]}/DUK/{ROMAN[day.month]}/{day.year}",
            by=self.hands[code].supervisor, idempotency_key=self.key(code, day, "bast"))
        self.stock[code] += quantity

    def lend(self, lender: str, borrower: str, day: datetime.date, quantity: int,
             letter: str, due_on: datetime.date) -> Loan:
        self.stock[lender] -= quantity
        return services.lend_to_office(
            lender=self.offices[lender], borrower=self.offices[borrower], quantity=quantity,
            reference=letter.format(month=ROMAN[day.month], year=day.year), occurred_on=day,
            due_on=due_on, by=self.hands[lender].supervisor,
            idempotency_key=self.key(lender, day, f"pinjam-{borrower}"))

    def receive(self, shipment: Shipment, day: datetime.date) -> None:
        code, quantity = shipment.receiver.code, shipment.remaining
        services.confirm_receipt(
            shipment=shipment, quantity=quantity, occurred_on=day,
            by=self.hands[code].supervisor,
            idempotency_key=self.key(code, day, f"terima-{shipment.pk}"))
        self.stock[code] += quantity

    def repay(self, loan: Loan, day: datetime.date, quantity: int) -> None:
        code = loan.borrower_office.code
        services.repay_loan(loan=loan, quantity=quantity, occurred_on=day,
                            by=self.hands[code].supervisor,
                            idempotency_key=self.key(code, day, f"kembali-{loan.pk}"))
        self.stock[code] -= quantity

    def use(self, pace: Pace, day: datetime.date) -> None:
        """The day's printing at the counter, in one recap posting, and its ruined prints."""
        code = pace.code
        printed, ruined, cause = daily_use(pace, day)
        reference = f"{RECAP} {day:%d-%m-%Y}"
        printed = min(printed, self.stock[code])
        if printed:
            services.post_movement(
                from_location=self.stock_location[code],
                to_location=services.office_location(self.offices[code], Kind.ISSUED),
                quantity=printed, reason=Movement.Reason.ISSUE, occurred_on=day,
                by=self.hands[code].printer, reference=reference)
            self.stock[code] -= printed
        ruined = min(ruined, self.stock[code])
        if ruined:
            services.spoil_blank(office=self.offices[code], quantity=ruined, cause=cause,
                                 occurred_on=day, by=self.hands[code].printer,
                                 reference=reference)
            self.stock[code] -= ruined

    def destroy(self, code: str, day: datetime.date) -> None:
        spoiled = Balance.objects.get(
            location=services.office_location(self.offices[code], Kind.SPOILED)).quantity
        if spoiled:
            services.destroy_spoiled(
                office=self.offices[code], quantity=spoiled, destroyed_on=day,
                number=f"BA-PMS/{code}/{ROMAN[day.month]}/{day.year}",
                witnesses="Inspektorat daerah; Kabid PIAK", by=self.hands[code].supervisor,
                idempotency_key=self.key(code, day, "musnah"))


def _first_run(poster: Poster, run: FirstRun) -> None:
    """Posts the planned window day by day, every office's day in the same order."""
    loans: dict[tuple[str, str], Loan] = {}
    destroy_on = run.ago(DESTROYED_AGO)
    for day in days_between(run.start, run.today):
        for code, quantity in run.opening.get(day, []):
            if code in run.new_offices:
                poster.open_by_count(code, day, quantity)
            else:
                poster.deliver(code, day, quantity)
        for code, quantity in run.deliveries.get(day, []):
            poster.deliver(code, day, quantity)
        for plan in run.loans_sent.get(day, []):
            loans[plan.lender, plan.borrower] = poster.lend(
                plan.lender, plan.borrower, day, plan.quantity, plan.letter,
                run.today + datetime.timedelta(days=plan.due_in))
        for plan in run.loans_received.get(day, []):
            poster.receive(loans[plan.lender, plan.borrower].shipments.get(), day)
        for pace in run.paces:
            poster.use(pace, day)
            if day == destroy_on:
                poster.destroy(pace.code, day)


def _open_demo_loans() -> list[Loan]:
    return list(
        Loan.objects.filter(movements__idempotency_key__startswith=KEY,
                            status=Loan.Status.OPEN)
        .select_related("lender_office", "borrower_office").distinct().order_by("pk"))


def _owed(loan: Loan) -> int:
    on_the_way = sum(s.remaining for s in loan.shipments.filter(
        kind=Shipment.Kind.REPAYMENT, status=Shipment.Status.IN_TRANSIT))
    return loan.delivered_quantity - loan.repaid_quantity - on_the_way


def _next_day(poster: Poster, day: datetime.date, paces: list[Pace]) -> None:
    """A day after the last run: shipments arrive TRANSIT_DAYS after they left, an
    office low on blanks gets a Ditjen delivery, due loans are paid back as far as the
    store can spare, then the day's printing."""
    if day.weekday() >= 5 or not paces:
        return
    codes = {pace.code for pace in paces}
    loans = _open_demo_loans()
    arrived = Shipment.objects.filter(
        loan__in=loans, status=Shipment.Status.IN_TRANSIT, receiver__code__in=codes,
        sent_on__lte=day - datetime.timedelta(days=TRANSIT_DAYS),
    ).select_related("receiver", "loan").order_by("pk")
    for shipment in arrived:
        poster.receive(shipment, day)
    for pace in paces:
        if poster.stock[pace.code] < pace.pace * REORDER_DAYS:
            poster.deliver(pace.code, day, hundreds_up(pace.pace * REORDER_SUPPLY_DAYS))
    by_code = {pace.code: pace for pace in paces}
    for loan in loans:
        pace = by_code.get(loan.borrower_office.code)
        if pace is None or loan.due_on is None or loan.due_on > day:
            continue
        spare = (poster.stock[pace.code] - pace.pace * REPAY_KEEP_DAYS) // 100 * 100
        quantity = min(_owed(loan), spare)
        if quantity > 0:
            poster.repay(loan, day, quantity)
    for pace in paces:
        poster.use(pace, day)


def _last_posted(poster: Poster) -> dict[str, datetime.date | None]:
    """The day of each office's last printing recap after the 2020 story: printing is
    posted on every weekday, so the days after it are still to come."""
    return {
        code: Movement.objects.filter(
            from_location=location, reason=Movement.Reason.ISSUE, occurred_on__gt=STORY_END,
            reference__startswith=RECAP).aggregate(last=Max("occurred_on"))["last"]
        for code, location in poster.stock_location.items()
    }


def _has_history(office: Office) -> bool:
    return Movement.objects.filter(
        Q(from_location__office=office) | Q(to_location__office=office)).exists()


@transaction.atomic
def seed_province(*, offices: dict[str, Office], users: dict[str, User],
                  today: datetime.date, stdout=None) -> int:
    """Brings every Kepri office's history up to `today`; returns the movements added."""
    offices = {pace.code: offices[pace.code] for pace in PACES}
    recorders = ensure_recorders(offices)
    poster = Poster(offices, _hands(users, recorders))
    before = Movement.objects.count()
    last = _last_posted(poster)
    fresh = [pace for pace in PACES if last[pace.code] is None]
    asked, proposal = 0, None
    if fresh:
        run = FirstRun.plan(
            today=today, paces=fresh, stock=poster.stock,
            new_offices={p.code for p in fresh if not _has_history(offices[p.code])},
            loans=[plan for plan in LOANS
                   if {plan.lender, plan.borrower} <= {p.code for p in fresh}])
        _first_run(poster, run)
        last.update(dict.fromkeys((p.code for p in fresh), today))
        # Batam's supervisor, a demo login, signs Batam's request.
        asked = seed_waiting_requests(offices=offices, users=users,
                                      recorders={**recorders, "2171": users["batam"]},
                                      today=today, codes={p.code for p in fresh})
        proposal = propose_rebalancing_today(province_code="21", users=users, today=today)
    # A month closed since the last run (by hand, in the demo) is left alone.
    for code, office in offices.items():
        last[code] = max(filter(None, [last[code], services.period_lock_date(office=office)]))
    for day in days_between(min(last.values()) + datetime.timedelta(days=1), today):
        _next_day(poster, day, [pace for pace in PACES if last[pace.code] < day])
    added = Movement.objects.count() - before
    if stdout is not None:
        stdout.write(
            f"Riwayat harian {len(offices)} kantor Kepulauan Riau dicatat sampai "
            f"{today:%d-%m-%Y}: {added} mutasi baru." if added else
            "Riwayat harian Kepulauan Riau sudah sampai hari ini; tidak ada yang ditambah.")
        if asked:
            stdout.write(f"{asked} permohonan blanko menunggu di provinsi dan di Ditjen.")
        if proposal is not None:
            stdout.write(f"Usulan pemerataan {proposal.number} ({proposal.quantity} blanko "
                         f"dari {proposal.lender.name} ke {proposal.borrower.name}) menunggu "
                         f"keputusan {proposal.lender.name}.")
    return added
