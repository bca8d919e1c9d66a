"""The monthly report as CSV and XLSX downloads.

Both carry the same rows, each with a stable code (e.g. "issued.new"), so a
province can stack the files of many offices and months and sum them.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from blanko.formatting import place_name
from layanan.supervision.reports import MonthlyReport, RequestLine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def month_label(first: datetime.date) -> str:
    return date_format(first, "F Y")


def title(report: MonthlyReport) -> str:
    if report.central:
        return _("LAPORAN BULANAN GUDANG PUSAT BLANKO KTP-EL")
    return _("LAPORAN BULANAN PENGGUNAAN BLANKO KTP-EL")


def signer(report: MonthlyReport) -> str:
    """Who signs: the head of the Disdukcapil, or the one in charge of the central store."""
    if report.central:
        return _("Penanggung Jawab Gudang Pusat Ditjen Dukcapil")
    return _("Kepala Dinas Kependudukan dan Pencatatan Sipil")


def filename(report: MonthlyReport, extension: str) -> str:
    return f"laporan-blanko-{report.office.code}-{report.month:%Y-%m}.{extension}"


def detail_label(detail: RequestLine, *, with_office: bool = False) -> str:
    """One line by request number, as text: "PB/2172/2024/0001 · BAST 12/V · 14-05-2024"
    (and the office, `with_office`: the central store's dispatches)."""
    if not detail.number:
        return _("Tanpa permohonan blanko (diterima langsung)")
    parts = [detail.number, _("BAST %(number)s") % {"number": detail.reference or "–"}]
    if detail.day:
        parts.append(f"{detail.day:%d-%m-%Y}")
    if with_office and detail.office_code:
        parts.append(f"{detail.office_code} {detail.office_name}")
    return " · ".join(parts)


def report_rows(report: MonthlyReport) -> list[tuple[str, str, str, int]]:
    """(code, section, label, quantity) for every line, totals and balances.

    A line listed by request number is followed by one "detail.<line code>" row per
    request, whose section is the line's label: summing the codes without "detail."
    still gives the totals."""
    rows = [("opening", _("Gudang stok"), _("Saldo awal"), report.opening)]
    for groups, total_code, total_label in (
        (report.groups_in, "total_in", _("Jumlah masuk")),
        (report.groups_out, "total_out", _("Jumlah keluar")),
    ):
        for group in groups:
            for line in group.lines:
                rows.append((line.code, group.title, line.label, line.quantity))
                rows += [(f"detail.{line.code}", line.label,
                          detail_label(detail, with_office=report.central), detail.quantity)
                         for detail in line.details]
        rows.append((total_code, _("Gudang stok"), total_label,
                     sum(group.total for group in groups)))
    rows.append(("closing", _("Gudang stok"), _("Saldo akhir"), report.closing))
    if report.transit is not None:
        transit = report.transit
        section = _("Dalam perjalanan ke kab/kota")
        rows += [
            ("transit.opening", section, _("Saldo awal"), transit.opening),
            ("transit.dispatched", section, _("Dikirim bulan ini"), transit.dispatched),
            ("transit.received", section, _("Diterima kab/kota"), transit.received),
            ("transit.cancelled", section, _("Dibatalkan, kembali ke gudang"),
             transit.cancelled),
            ("transit.closing", section, _("Saldo akhir"), transit.closing),
        ]
    spoiled = _("Blanko rusak (menunggu pemusnahan)")
    rows.append(("spoiled.opening", spoiled, _("Saldo awal"), report.spoiled_opening))
    rows += [(line.code, spoiled, line.label, line.quantity)
             for line in report.spoiled_in + report.spoiled_out]
    rows.append(("spoiled.closing", spoiled, _("Saldo akhir"), report.spoiled_closing))
    return rows


# A spreadsheet runs a cell that starts with one of these (CSV or formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text_cells_as_text(sheet) -> None:
    """Every text cell is written as text: openpyxl makes "=..." a live formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True  # and Excel keeps it text when edited


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(report: MonthlyReport) -> HttpResponse:
    """One row per line with the office and month on each, UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # Column names are codes, like the line codes, not text: a province stacks the files
    # of many offices by them, whatever language each was downloaded in.
    writer.writerow(["kantor", "bulan", "kode", "bagian", "uraian", "jumlah"])
    for code, section, label, quantity in report_rows(report):
        writer.writerow([csv_safe(value) for value in (
            report.office.code, f"{report.month:%Y-%m}", code, section, label, quantity)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename(report, "csv"))


def xlsx_response(report: MonthlyReport) -> HttpResponse:
    """A sheet with the letterhead, a Kode/Bagian/Uraian/Jumlah table and the signature."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Laporan")
    office = report.office
    bold = Font(bold=True)
    heading = [
        title(report),
        (_("Direktorat Jenderal Kependudukan dan Pencatatan Sipil, Kementerian Dalam Negeri")
         if report.central else
         _("Dinas Kependudukan dan Pencatatan Sipil %(name)s") % {"name": office.name}),
        office.address,
        _("Kode wilayah %(code)s · Bulan %(month)s") % {"code": office.code,
                                                         "month": month_label(report.month)},
        (_("Bulan sudah ditutup") if report.closed else _("Bulan belum ditutup")),
    ]
    for text in heading:
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([_("Kode"), _("Bagian"), _("Uraian"), _("Jumlah")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for code, section, label, quantity in report_rows(report):
        sheet.append([code, section, label, quantity])
        row = sheet[sheet.max_row]
        row[3].number_format = "#,##0"
        if code in {"opening", "total_in", "total_out", "closing", "spoiled.closing",
                    "transit.closing"}:
            for cell in row:
                cell.font = bold
    sheet.append([])
    place = place_name(office)
    for text in (
        f"{place}, {date_format(report.last_day, 'j F Y')}",
        signer(report), "", "", "",
        office.head_name or "(........................................)",
        _("NIP. %(nip)s") % {"nip": office.head_nip or "...................."},
    ):
        sheet.append(["", "", text])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 42
    sheet.column_dimensions["C"].width = 48
    sheet.column_dimensions["D"].width = 12
    for row in sheet.iter_rows(min_row=8, min_col=4, max_col=4):
        row[0].alignment = Alignment(horizontal="right")
    _text_cells_as_text(sheet)
    content = io.BytesIO()
    workbook.save(content)
    return _attachment(HttpResponse(content.getvalue(), content_type=XLSX_TYPE),
                       filename(report, "xlsx"))
