"""The monthly report of blank use, its exports, the monthly close, and the
berita acara of each destruction batch."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blanko import access, services
from blanko import selectors as ledger
from blanko.formatting import place_name
from blanko.models import CENTRAL_OFFICE_CODE, Office
from blanko.terbilang import terbilang
from blanko.views import scoped_office
from blanko.views.common import post_only
from layanan.supervision import exports, reports

REPORT = "layanan.view_report"
# Ditjen's central store is no kab/kota (Office.objects and every scope leave it out):
# its monthly report is read by those who keep it, its national allocators.
CENTRAL_REPORT = "blanko.allocate_blanks"


def report_office(request: HttpRequest, code: str) -> Office:
    """The office whose reports the URL names: a kab/kota in the user's scope (with the
    report permission), or Ditjen's central store for a user who may read its report
    there (the report permission or the allocator's, in national scope). 403 without
    either permission, 404 when the office is out of the user's scope."""
    if code != CENTRAL_OFFICE_CODE:
        return scoped_office(request, code, REPORT)
    central = services.central_office()
    if not (access.has_permission(request.user, REPORT, central)
            or access.has_permission(request.user, CENTRAL_REPORT, central)):
        if not (request.user.has_perm(REPORT) or request.user.has_perm(CENTRAL_REPORT)):
            raise PermissionDenied
        raise Http404
    return central


def _month(year: int, month: int, today: datetime.date) -> datetime.date:
    """The first day of the month in the URL; 404 for an impossible or future month."""
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        raise Http404
    first = datetime.date(year, month, 1)
    if first > today:
        raise Http404
    return first


@login_required
@require_GET
def report_index(request: HttpRequest, code: str) -> HttpResponse:
    office = report_office(request, code)
    today = timezone.localdate()
    return render(request, "layanan/report_list.html", {
        "office": office,
        "years": reports.report_years(office=office, today=today),
        "month_names": [datetime.date(2000, month, 1) for month in range(1, 13)],
        "destructions": ledger.destructions(office=office),
    })


@login_required
@require_GET
def monthly_report(request: HttpRequest, code: str, year: int, month: int,
                   fmt: str = "html") -> HttpResponse:
    office = report_office(request, code)
    today = timezone.localdate()
    report = reports.monthly_report(office=office, month=_month(year, month, today))
    if fmt == "xlsx":
        return exports.xlsx_response(report)
    if fmt == "csv":
        return exports.csv_response(report)
    previous = report.month - datetime.timedelta(days=1)
    following = report.last_day + datetime.timedelta(days=1)
    return render(request, "layanan/report_detail.html", {
        "office": office, "report": report, "today": today,
        "previous": previous.replace(day=1),
        "following": following if following <= today else None,
        "month_ended": report.last_day < today,
        # The central store's months are not closed here: close_month is a kab/kota's.
        "can_close": (not office.is_central
                      and access.has_permission(request.user, "blanko.close_month", office)),
        "place": place_name(office),
    })


@login_required
@post_only("layanan:report", "code", "year", "month")
def close_month(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
    office = scoped_office(request, code, "blanko.close_month")
    first = _month(year, month, timezone.localdate())
    try:
        services.close_month(office=office, month=first, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Bulan %(month)s ditutup. Tidak ada mutasi yang dapat "
                                    "dicatat lagi pada bulan itu.")
                         % {"month": exports.month_label(first)})
    return redirect("layanan:report", code=office.code, year=first.year, month=first.month)


@login_required
@require_GET
def destruction_report(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, REPORT)
    destruction = ledger.destruction(office=office, pk=pk)
    if destruction is None:
        raise Http404
    movement = destruction.movement
    return render(request, "layanan/destruction_detail.html", {
        "office": office, "destruction": destruction,
        "quantity_words": terbilang(destruction.quantity),
        # The spoiled pile before and after, from the balances the posting recorded.
        "spoiled_after": movement.from_balance_after,
        "spoiled_before": (movement.from_balance_after + destruction.quantity
                           if movement.from_balance_after is not None else None),
        "witnesses": [w.strip() for w in destruction.witnesses.split(";") if w.strip()],
        "place": place_name(office),
        # A reversed destruction: the berita acara is printed as cancelled, with why.
        "reversal": (ledger.reversal_of(movement=movement)
                     if destruction.reversal_id is not None else None),
    })
