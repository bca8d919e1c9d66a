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

Blanks that moved under a request for blanks (Movement.blank_request) are listed
under their line by request number, read in the same query: an office's receipts
from Ditjen, and the central store's dispatches to the offices. Ditjen's central
store (office "00") has its own lines: procurement in, dispatched out, and the
blanks on their way to the offices at the start and end of the month.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, DateField, F, Q, Value, When
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
# Only Ditjen's central store buys blanks and sends them to the offices; anywhere else
# such a movement would be counted under "Lainnya".
CENTRAL_STOCK_IN = {**STOCK_IN, Reason.PROCUREMENT: "received.procurement"}
CENTRAL_STOCK_OUT = {**STOCK_OUT, Reason.DISPATCH: "out.dispatched"}

LABELS = {
    "received.ditjen": _("Dari Ditjen Dukcapil"),
    "received.procurement": _("Pengadaan dari penyedia"),
    "out.dispatched": _("Dikirim ke kab/kota atas permohonan blanko"),
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
CENTRAL_GROUPS_IN = (
    ("received", _("Diterima"), ("received.procurement",)),
    ("in_other", _("Masuk lainnya"), ("in.transit_cancel", "in.adjustment", "in.reversal",
                                      "in.other")),
)
CENTRAL_GROUPS_OUT = (
    ("dispatched", _("Dikirim ke kab/kota"), ("out.dispatched",)),
    ("out_other", _("Keluar lainnya"), ("out.adjustment", "out.reversal", "out.other")),
)
SPOILED_LINES_IN = ("spoiled.in", "spoiled.reversal_in", "spoiled.other_in")
SPOILED_LINES_OUT = ("spoiled.destroyed", "spoiled.reversal_out", "spoiled.other_out")
OPTIONAL = {"in.other", "out.other", "spoiled.other_in", "spoiled.other_out", DEFECTIVE}


@dataclass(frozen=True)
class RequestLine:
    """Blanks that moved under one request for blanks on one day under one BAST: received
    at the office, or dispatched from the central store. `number` is "" for blanks from
    Ditjen received directly, with no request in SiBlanko (receive_allocation)."""

    number: str
    office_code: str
    office_name: str
    reference: str
    day: datetime.date | None
    quantity: int


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    quantity: int
    # The line by request number (received from Ditjen, dispatched to the offices).
    details: tuple[RequestLine, ...] = ()


@dataclass(frozen=True)
class Transit:
    """The central store's blanks on their way to the offices over the month."""

    opening: int
    dispatched: int
    cancelled: int  # a shipment cancelled back into the central store
    closing: int

    @property
    def received(self) -> int:
        """Confirmed by the offices in the month: what left the transit location other
        than back to the store (opening + dispatched - cancelled - closing)."""
        return self.opening + self.dispatched - self.cancelled - self.closing


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
    transit: Transit | None = None  # the central store's only

    @property
    def central(self) -> bool:
        return self.office.is_central

    @property
    def shows_spoiled(self) -> bool:
        """The spoiled pile's table: always for an office; for the central store, which
        prints no card, only if it ever held a ruined blank."""
        return not self.central or bool(self.spoiled_opening or any(
            line.quantity for line in self.spoiled_in + self.spoiled_out))

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


def _lines(codes: tuple[str, ...], totals: dict[str, int],
           details: dict[str, list[RequestLine]] | None = None) -> list[Line]:
    details = details or {}
    return [Line(code, str(LABELS[code]), totals.get(code, 0), tuple(details.get(code, ())))
            for code in codes if code not in OPTIONAL or totals.get(code)]


def _fold_unlisted(totals: dict[str, int], listed: set[str]) -> None:
    """Moves any store line the report does not list into "Lainnya" on its side, so the
    sums still hold (e.g. a card issued from the central store, which has no such line)."""
    for code in [code for code in totals if code not in listed]:
        side = code.split(".")[0]
        if side in {"received", "in"}:
            totals["in.other"] += totals.pop(code)
        elif side in {"out", "issued", "spoil"}:
            totals["out.other"] += totals.pop(code)


def _classify(row: dict, totals: dict[str, int], *, stock_in: dict = STOCK_IN,
              stock_out: dict = STOCK_OUT) -> None:
    """Adds one grouped row of movements to the lines it belongs to."""
    reason, quantity = row["reason"], row["total"]
    if row["target"] == Kind.STOCK:
        totals[stock_in.get(reason, "in.other")] += quantity
    if row["source"] == Kind.STOCK:
        if reason == Reason.ISSUE:
            totals[f"issued.{row['request_kind'] or RECAP}"] += quantity
        elif reason == Reason.SPOIL:
            totals[f"spoil.{row['cause']}"] += quantity
        else:
            totals[stock_out.get(reason, "out.other")] += quantity
    if reason == Reason.SPOIL_ISSUED and row["target"] == Kind.SPOILED:
        totals[f"spoil.{row['cause']}"] += quantity
        totals[DEFECTIVE] -= quantity
    if row["target"] == Kind.SPOILED:
        totals[SPOILED_IN.get(reason, "spoiled.other_in")] += quantity
    if row["source"] == Kind.SPOILED:
        totals[SPOILED_OUT.get(reason, "spoiled.other_out")] += quantity


# What a movement under a request for blanks adds to the grouping: its request, the
# request's office, and its BAST and day (the same for every other movement, so they
# stay summed as before).
_UNDER_REQUEST = Q(blank_request__isnull=False)
REQUEST_GROUPING = {
    "request_number": Coalesce("blank_request__number", Value("")),
    "request_office": Coalesce("blank_request__office__code", Value("")),
    "request_office_name": Coalesce("blank_request__office__name", Value("")),
    "request_reference": Case(When(_UNDER_REQUEST, then=F("reference")),
                              default=Value(""), output_field=CharField()),
    "request_day": Case(When(_UNDER_REQUEST, then=F("occurred_on")),
                        default=Value(None), output_field=DateField()),
}
# The lines listed by request number, and the movements that make them.
REQUEST_LINES = {
    "received.ditjen": ("target", Reason.RECEIPT_DITJEN),
    "out.dispatched": ("source", Reason.DISPATCH),
}


def _request_details(rows: list[dict], totals: dict[str, int]
                     ) -> dict[str, list[RequestLine]]:
    """The lines of REQUEST_LINES by request number, then day; for the blanks received from
    Ditjen with no request (a direct receipt), one line without a number."""
    details: dict[str, list[RequestLine]] = {}
    for code, (side, reason) in REQUEST_LINES.items():
        found = sorted(
            (RequestLine(row["request_number"], row["request_office"],
                         row["request_office_name"], row["request_reference"],
                         row["request_day"], row["total"])
             for row in rows
             if row["request_number"] and row["reason"] == reason and row[side] == Kind.STOCK),
            key=lambda line: (line.number, line.day, line.reference))
        direct = totals.get(code, 0) - sum(line.quantity for line in found)
        if found and direct:
            found.append(RequestLine("", "", "", "", None, direct))
        details[code] = found
    return details


def monthly_report(*, office: Office, month: datetime.date) -> MonthlyReport:
    """The report of one month (any day of it), in five queries whatever the ledger size
    (six for the central store, whose transit is read at the end of the month too)."""
    first = month.replace(day=1)
    last = month_end(first)
    central = office.is_central
    kinds = (Kind.STOCK, Kind.SPOILED, *((Kind.TRANSIT,) if central else ()))
    # The counts at the end of the day before: today's balance rows walked back over
    # the movements since, not a sum over the office's whole history.
    opening = ledger.balances_as_of(office_ids=[office.pk], day=first - datetime.timedelta(1),
                                    kinds=kinds)
    # An ISSUE is counted under the kind of request its card was printed for.
    rows = list(ledger.flows_by_reason(office=office, start=first, end=last, group_by={
        "request_kind": Coalesce("card_print__request__kind", Value("")),
        **REQUEST_GROUPING}))
    totals: dict[str, int] = defaultdict(int)
    maps = ({"stock_in": CENTRAL_STOCK_IN, "stock_out": CENTRAL_STOCK_OUT} if central
            else {})
    for row in rows:
        _classify(row, totals, **maps)
    groups_in, groups_out = ((CENTRAL_GROUPS_IN, CENTRAL_GROUPS_OUT) if central
                             else (GROUPS_IN, GROUPS_OUT))
    _fold_unlisted(totals, {code for _c, _t, codes in groups_in + groups_out for code in codes})
    details = _request_details(rows, totals)
    transit = None
    if central:
        closing = ledger.balances_as_of(office_ids=[office.pk], day=last, kinds=(Kind.TRANSIT,))
        transit = Transit(opening=opening.get((office.pk, Kind.TRANSIT), 0),
                          dispatched=totals.get("out.dispatched", 0),
                          cancelled=totals.get("in.transit_cancel", 0),
                          closing=closing.get((office.pk, Kind.TRANSIT), 0))
    return MonthlyReport(
        office=office, month=first,
        opening=opening[office.pk, Kind.STOCK],
        groups_in=[Group(code, str(title), _lines(codes, totals, details))
                   for code, title, codes in groups_in],
        groups_out=[Group(code, str(title), _lines(codes, totals, details))
                    for code, title, codes in groups_out],
        spoiled_opening=opening[office.pk, Kind.SPOILED],
        spoiled_in=_lines(SPOILED_LINES_IN, totals),
        spoiled_out=_lines(SPOILED_LINES_OUT, totals),
        closed=ledger.month_close(office=office, month=first),
        destructions=list(ledger.destructions(office=office, start=first, end=last)),
        transit=transit,
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
