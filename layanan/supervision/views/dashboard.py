"""The supervisor dashboard of one office, and the rollup of every office in scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blanko import access
from blanko.formatting import TableFormat
from blanko.services import EKTP_START
from blanko.views import scoped_office
from layanan.supervision import charts, forecast, rollup
from layanan.supervision.dashboard import (
    CHART_DAYS,
    LEAD_TIME_SOURCES,
    STAGE_WINDOW_DAYS,
    Dashboard,
    office_dashboard,
)

DASHBOARD = "layanan.view_dashboard"
REQUEST_BLANKS = "blanko.request_blanks"
# The windows the pages name in their text, from the modules that compute over them.
WINDOW_DAYS = {"use": forecast.USE_WINDOW_DAYS, "safety": forecast.SAFETY_DAYS,
               "stages": STAGE_WINDOW_DAYS, "chart": CHART_DAYS}


# e-KTP began on 1 January 2011: no figure exists before it, and a date far in the past
# would overflow the windows the dashboard computes backwards from it.
EARLIEST_AS_OF = EKTP_START


def as_of_from(request: HttpRequest, today: datetime.date) -> tuple[datetime.date, str]:
    """The `as_of` query parameter (YYYY-MM-DD), or today; with an error message if bad."""
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return today, ""
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        return today, _("Tanggal tidak valid; yang ditampilkan adalah hari ini.")
    if day > today:
        return today, _("Tanggal di masa depan; yang ditampilkan adalah hari ini.")
    if day < EARLIEST_AS_OF:
        return today, _(
            "Tanggal sebelum %(earliest)s, awal KTP-el, tidak dapat ditampilkan; "
            "yang ditampilkan adalah hari ini."
        ) % {"earliest": date_format(EARLIEST_AS_OF, "j F Y")}
    return day, ""


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, DASHBOARD)
    today = timezone.localdate()
    as_of, as_of_error = as_of_from(request, today)
    data = office_dashboard(office=office, as_of=as_of, today=today)
    return render(request, "layanan/dashboard_detail.html", {
        "office": office, "d": data, "today": today, "as_of_error": as_of_error,
        "today_url": "" if data.is_today else reverse("layanan:dashboard",
                                                      kwargs={"code": office.code}),
        "days": WINDOW_DAYS,
        "stock_chart": charts.stock_chart(data.series),
        "flow_chart": charts.flow_chart(data.series),
        "can_report": access.has_permission(request.user, "layanan.view_report", office),
        "request_url": request_url(data, request),
    })


def request_url(data: Dashboard, request: HttpRequest) -> str:
    """The "ask Ditjen" button's link, pre-filled with the figure to ask for: on today's
    dashboard, for those who may ask; else "" (no button). The figures behind it are
    computed again by the request form (blanko.supply_figures), never carried here."""
    if not data.is_today or not access.has_permission(request.user, REQUEST_BLANKS,
                                                      data.office):
        return ""
    url = reverse("blanko:blank_request_create", kwargs={"code": data.office.code})
    to_request = data.shortfall.to_request if data.shortfall else 0
    return f"{url}?{urlencode({'jumlah': to_request})}" if to_request else url


@login_required
@require_GET
def office_rollup(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(DASHBOARD):
        raise PermissionDenied
    today = timezone.localdate()
    as_of, as_of_error = as_of_from(request, today)
    sort = request.GET.get("sort", "cover")
    if sort not in rollup.SORTS:
        sort = "cover"
    rows = rollup.office_rollup(offices=access.offices_in_scope(request.user), as_of=as_of,
                                today=today, sort=sort)
    return render(request, "layanan/rollup_list.html", {
        "rows": rollup_lines(rows), "plans": plan_links(request.user),
        "running_out": sum(row.runs_out_before_shipment for row in rows),
        "as_of": min(as_of, today), "today": today, "sort": sort,
        "as_of_error": as_of_error, "days": WINDOW_DAYS,
        "as_of_param": "" if as_of >= today else f"as_of={as_of:%Y-%m-%d}",
    })


ALLOCATE = "blanko.allocate_blanks"
FORWARD = "blanko.forward_blank_request"


def _url(name: str, **kwargs: str) -> str:
    """The URL, or "" while the page is not installed: the plans are other modules'
    pages, and this one must not break when one of them is missing."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def plan_links(user) -> list[tuple[str, str]]:
    """(label, URL) of the planning pages the user may open: Ditjen's allocation plan
    for a national allocator, the province's rebalancing plan for its coordinator."""
    links = []
    if user.has_perm(ALLOCATE) and (url := _url("layanan:allocation_plan")):
        links.append((_("Rencana alokasi nasional"), url))
    region = access.user_region(user)
    if region and user.has_perm(FORWARD) and (
            url := _url("layanan:rebalancing_plan", province=region)):
        links.append((_("Rencana pemerataan provinsi"), url))
    return links


@dataclass(frozen=True)
class RollupLine:
    """One office's row of the rollup table, as text."""

    row: rollup.OfficeRow
    link: str
    stock: str
    average: str
    days_counted: str  # "19 dari 28 hari berstok" when stock-out days were left out
    cover: str
    stockout: str
    ask_by: str
    ask_late: bool
    lead_time: str  # "45 hari, terukur"
    waiting: str
    incoming: str
    from_ditjen: str
    key_date: str
    shortfall: str
    short: bool
    to_request: str
    key_date_days: str  # "62 hari lagi"
    cover_short: bool  # runs out before the key date
    runs_out: bool  # runs out before a shipment can reach the office


def rollup_lines(rows: list[rollup.OfficeRow]) -> list[RollupLine]:
    """The table's text, formatted once per table: 514 rows of template filters and
    {% url %} tags were most of the page's time."""
    fmt = TableFormat()
    link = reverse("layanan:dashboard", kwargs={"code": "__code__"})
    lines = []
    sources = {code: str(label) for code, label in LEAD_TIME_SOURCES.items()}
    for row in rows:
        f, s = row.forecast, row.shortfall
        lines.append(RollupLine(
            row=row, link=link.replace("__code__", quote(row.office.code)),
            stock=fmt.grouped(f.stock),
            average="–" if f.average is None else fmt.one_decimal(f.average),
            days_counted=_("%(counted)s dari %(days)s hari berstok") % {
                "counted": f.days_counted, "days": forecast.USE_WINDOW_DAYS,
            } if f.days_left_out else "",
            cover="–" if f.days_of_cover is None else fmt.one_decimal(f.cover_shown),
            stockout=fmt.short_date(f.stockout_on) or "–",
            ask_by=fmt.short_date(f.ask_by) or "–", ask_late=bool(f.ask_days_late),
            lead_time=_("%(days)s hari, %(source)s") % {
                "days": fmt.grouped(f.lead_time_days),
                "source": sources.get(f.lead_time_source, f.lead_time_source)},
            waiting=fmt.grouped(row.waiting), incoming=fmt.grouped(row.incoming),
            from_ditjen=fmt.grouped(row.from_ditjen),
            key_date=s.key_date.name if s else "–",
            shortfall=fmt.grouped(s.shortfall) if s else "–", short=bool(s and s.shortfall),
            to_request=fmt.grouped(s.to_request) if s else "–",
            key_date_days=_("%(days)s hari lagi") % {"days": fmt.grouped(row.days_to_key_date)}
            if s else "",
            cover_short=row.short_of_key_date, runs_out=row.runs_out_before_shipment,
        ))
    return lines
