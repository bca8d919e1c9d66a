"""The monthly report of blank use (laporan bulanan), computed from the ledger.

Every line is a sum of movements in or out of the office's STOCK (or SPOILED)
location dated in the month (blanko.selectors.flows_by_reason), so opening + in -
out = closing always holds and the closing balance is what verify_ledger rebuilds.
The opening counts walk back from the balance rows, which verify_ledger proves
equal to the movements' sum. It lives above layanan because "issued by request
kind" follows the CardPrint that links a request to its ISSUE movement; an ISSUE
with no CardPrint (a daily recap posting) is counted under "rekap harian / tanpa
permohonan". A card found defective after printing is counted ruined by its cause
in the month it is found, and taken off that month's cards issued (a line of its
own); the month it was printed is unchanged.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from blanko import selectors as ledger
from blanko.models import (
    Destruction,
    LocationKind,
    MonthClose,
    MovementCause,
    MovementReason,
    Office,
)
from layanan.models import ServiceRequest

Kind = LocationKind
Reason = MovementReason
RECAP = "recap"

STOCK_IN = {
    Reason.RECEIPT_DITJEN: "received.ditjen",
    Reason.RECEIPT_PROVINCE: "received.province",
    Reason.LOAN_IN: "received.loan",
    Reason.REPAYMENT_IN: "received.repayment",
    Reason.TRANSIT_CANCEL: "in.transit_cancel",
    Reason.ADJUSTMENT: "in.adjustment",
    Reason.REVERSAL: "in.reversal",
}
STOCK_OUT = {
    Reason.LOAN_OUT: "out.lent",
    Reason.REPAYMENT_OUT: "out.repaid",
    Reason.ADJUSTMENT: "out.adjustment",
    Reason.REVERSAL: "out.reversal",
}
SPOILED_IN = {Reason.SPOIL: "spoiled.in", Reason.SPOIL_ISSUED: "spoiled.in",
              Reason.REVERSAL: "spoiled.reversal_in"}
# A card found defective after printing (ISSUED to SPOILED) does not move the store: it
# is counted ruined by its cause and taken off the cards issued, so the total out is
# still what left the store.
DEFECTIVE = "issued.defective"
SPOILED_OUT = {Reason.DESTROY: "spoiled.destroyed", Reason.REVERSAL: "spoiled.reversal_out"}

LABELS = {
    "received.ditjen": _("Dari Ditjen Dukcapil"),
    "received.province": _("Dari provinsi"),
    "received.loan": _("Pinjaman dari kab/kota lain (dipinjam)"),
    "received.repayment": _("Pengembalian pinjaman yang kita berikan"),
    "in.transit_cancel": _("Pengiriman dibatalkan, kembali ke gudang"),
    "in.adjustment": _("Selisih lebih stock opname"),
    "in.reversal": _("Koreksi (pembalikan mutasi)"),
    "in.other": _("Lainnya"),
    "out.lent": _("Dipinjamkan ke kab/kota lain"),
    "out.repaid": _("Pengembalian pinjaman kita"),
    f"issued.{RECAP}": _("Rekap harian / tanpa permohonan"),
    DEFECTIVE: _("Dikurangi: kartu rusak setelah dicetak (dipindah ke blanko rusak)"),
    "out.adjustment": _("Selisih kurang stock opname"),
    "out.reversal": _("Koreksi (pembalikan mutasi)"),
    "out.other": _("Lainnya"),
    "spoiled.in": _("Blanko rusak bulan ini"),
    "spoiled.reversal_in": _("Koreksi masuk (pembalikan)"),
    "spoiled.destroyed": _("Dimusnahkan"),
    "spoiled.reversal_out": _("Koreksi keluar (pembalikan)"),
    "spoiled.other_in": _("Lainnya"),
    "spoiled.other_out": _("Lainnya"),
}
LABELS.update({f"issued.{kind}": label for kind, label in ServiceRequest.Kind.choices})
LABELS.update({f"spoil.{cause}": label for cause, label in MovementCause.choices})

# The lines of each group, in order; "other" lines are shown only when not zero.
GROUPS_IN = (
    ("received", _("Diterima"), ("received.ditjen", "received.province", "received.loan",
                                 "received.repayment")),
    ("in_other", _("Masuk lainnya"), ("in.transit_cancel", "in.adjustment", "in.reversal",
                                      "in.other")),
)
GROUPS_OUT = (
    ("loans", _("Dipinjamkan dan dikembalikan"), ("out.lent", "out.repaid")),
    ("issued", _("Diterbitkan (dicetak untuk penduduk), menurut jenis permohonan"),
     (*(f"issued.{kind}" for kind in ServiceRequest.Kind.values), f"issued.{RECAP}",
      DEFECTIVE)),
    ("spoiled", _("Rusak, menurut penyebab"),
     tuple(f"spoil.{cause}" for cause in MovementCause.values)),
    ("out_other", _("Keluar lainnya"), ("out.adjustment", "out.reversal", "out.other")),
)
SPOILED_LINES_IN = ("spoiled.in", "spoiled.reversal_in", "spoiled.other_in")
SPOILED_LINES_OUT = ("spoiled.destroyed", "spoiled.reversal_out", "spoiled.other_out")
OPTIONAL = {"in.other", "out.other", "spoiled.other_in", "spoiled.other_out", DEFECTIVE}


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    quantity: int


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    lines: list[Line]

    @property
    def total(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class MonthlyReport:
    office: Office
    month: datetime.date  # the first day
    opening: int
    groups_in: list[Group]
    groups_out: list[Group]
    spoiled_opening: int
    spoiled_in: list[Line]
    spoiled_out: list[Line]
    closed: MonthClose | None
    destructions: list[Destruction] = field(default_factory=list)

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.month)

    @property
    def total_in(self) -> int:
        return sum(group.total for group in self.groups_in)

    @property
    def total_out(self) -> int:
        return sum(group.total for group in self.groups_out)

    @property
    def closing(self) -> int:
        return self.opening + self.total_in - self.total_out

    @property
    def spoiled_closing(self) -> int:
        return (self.spoiled_opening + sum(line.quantity for line in self.spoiled_in)
                - sum(line.quantity for line in self.spoiled_out))

    def group(self, code: str) -> Group:
        return next(g for g in self.groups_in + self.groups_out if g.code == code)

    def line(self, code: str) -> int:
        """The quantity of one line by its code (0 when the line is not shown)."""
        lines = [line for group in self.groups_in + self.groups_out for line in group.lines]
        return next((line.quantity for line in lines + self.spoiled_in + self.spoiled_out
                     if line.code == code), 0)


def month_end(first: datetime.date) -> datetime.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _lines(codes: tuple[str, ...], totals: dict[str, int]) -> list[Line]:
    return [Line(code, str(LABELS[code]), totals.get(code, 0)) for code in codes
            if code not in OPTIONAL or totals.get(code)]


def _classify(row: dict, totals: dict[str, int]) -> None:
    """Adds one grouped row of movements to the lines it belongs to."""
    reason, quantity = row["reason"], row["total"]
    if row["target"] == Kind.STOCK:
        totals[STOCK_IN.get(reason, "in.other")] += quantity
    if row["source"] == Kind.STOCK:
        if reason == Reason.ISSUE:
            totals[f"issued.{row['request_kind'] or RECAP}"] += quantity
        elif reason == Reason.SPOIL:
            totals[f"spoil.{row['cause']}"] += quantity
        else:
            totals[STOCK_OUT.get(reason, "out.other")] += quantity
    if reason == Reason.SPOIL_ISSUED and row["target"] == Kind.SPOILED:
        totals[f"spoil.{row['cause']}"] += quantity
        totals[DEFECTIVE] -= quantity
    if row["target"] == Kind.SPOILED:
        totals[SPOILED_IN.get(reason, "spoiled.other_in")] += quantity
    if row["source"] == Kind.SPOILED:
        totals[SPOILED_OUT.get(reason, "spoiled.other_out")] += quantity


def monthly_report(*, office: Office, month: datetime.date) -> MonthlyReport:
    """The report of one month (any day of it), in five queries whatever the ledger size."""
    first = month.replace(day=1)
    last = month_end(first)
    # The counts at the end of the day before: today's balance rows walked back over
    # the movements since, not a sum over the office's whole history.
    opening = ledger.balances_as_of(office_ids=[office.pk], day=first - datetime.timedelta(1),
                                    kinds=(Kind.STOCK, Kind.SPOILED))
    # An ISSUE is counted under the kind of request its card was printed for.
    rows = ledger.flows_by_reason(office=office, start=first, end=last, group_by={
        "request_kind": Coalesce("card_print__request__kind", Value(""))})
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        _classify(row, totals)
    return MonthlyReport(
        office=office, month=first,
        opening=opening[office.pk, Kind.STOCK],
        groups_in=[Group(code, str(title), _lines(codes, totals))
                   for code, title, codes in GROUPS_IN],
        groups_out=[Group(code, str(title), _lines(codes, totals))
                    for code, title, codes in GROUPS_OUT],
        spoiled_opening=opening[office.pk, Kind.SPOILED],
        spoiled_in=_lines(SPOILED_LINES_IN, totals),
        spoiled_out=_lines(SPOILED_LINES_OUT, totals),
        closed=ledger.month_close(office=office, month=first),
        destructions=list(ledger.destructions(office=office, start=first, end=last)),
    )


def report_years(*, office: Office, today: datetime.date
                 ) -> list[tuple[int, list[tuple[datetime.date, bool] | None]]]:
    """Per year (newest first), twelve cells: (first day, closed?) for each month from
    the office's first movement to this month, None outside that span. Two queries."""
    first = ledger.first_movement_on(office=office)
    closed = ledger.closed_months(office=office)
    start, current = (first or today).replace(day=1), today.replace(day=1)
    years = []
    for year in range(current.year, start.year - 1, -1):
        cells: list[tuple[datetime.date, bool] | None] = []
        for month in range(1, 13):
            day = datetime.date(year, month, 1)
            cells.append((day, day in closed) if start <= day <= current else None)
        years.append((year, cells))
    return years
