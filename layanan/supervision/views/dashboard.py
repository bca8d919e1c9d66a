"""The supervisor dashboard of one office, and the rollup of every office in scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, minus its per-call wrapper
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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
    lines = rollup_lines(rows)
    as_of_param = "" if as_of >= today else f"as_of={as_of:%Y-%m-%d}"
    return render(request, "layanan/rollup_list.html", {
        "rows": lines, "rows_html": rollup_rows_html(lines, as_of_param=as_of_param),
        "plans": plan_links(request.user),
        "running_out": sum(row.runs_out_before_shipment for row in rows),
        "as_of": min(as_of, today), "today": today, "sort": sort,
        "as_of_error": as_of_error, "days": WINDOW_DAYS,
        "as_of_param": as_of_param,
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
    asked: str  # "sudah diminta: PB/2101/2026/0001" while a request is open, else ""
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
    asked = _("sudah diminta: %(number)s")
    asked_late = _("sudah diminta: %(number)s, %(late)s hari setelah tanggal itu")
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
            asked=(asked_late if f.asked_days_late else asked) % {
                "number": f.open_request.number, "late": fmt.grouped(f.asked_days_late),
            } if f.open_request else "",
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


# One row of the rollup's table, written here rather than as a template loop: 514 rows of
# some twenty variables each were still about half of the page's time after the text
# was formatted once per table (rollup_lines). Every text is escaped.
_ROLLUP_ROW = (
    '<tr><td><a href="{link}">{code} {name}</a></td>'
    '<td class="num">{stock}</td>'
    '<td class="num">{average}{days_counted}</td>'
    '<td class="num{cover_class}" data-testid="cover-{code}">{cover}</td>'
    '<td>{stockout}</td>'
    '<td data-testid="runs-out-{code}">{runs_out}</td>'
    '<td data-testid="ask-by-{code}"{ask_class}>{ask_by}{late}{asked}'
    '<span class="d-block small text-body-secondary fw-normal" '
    'data-testid="lead-time-{code}">{lead_time}</span></td>'
    '<td class="num">{waiting}</td><td class="num">{incoming}</td>'
    '<td class="num" data-testid="from-ditjen-{code}">{from_ditjen}</td>'
    '<td data-testid="key-date-{code}">{key_date}{key_date_days}</td>'
    '<td class="num{short_class}">{shortfall}</td><td class="num">{to_request}</td></tr>'
)
_DANGER = " text-danger-emphasis fw-semibold"


def rollup_rows_html(lines: list[RollupLine], *, as_of_param: str) -> SafeString:
    runs_out = format_html('<span class="badge text-bg-danger">{}</span>',
                           _("Habis sebelum kiriman tiba"))
    late = format_html(' <span class="badge text-bg-danger">{}</span>', _("sudah lewat"))
    before = "; " + escape(_("stok habis sebelumnya"))
    query = f"?{escape(as_of_param)}" if as_of_param else ""
    parts = []
    for line in lines:
        office = line.row.office
        key_date_days = ""
        if line.key_date_days:
            key_date_days = (f'<span class="d-block small text-body-secondary">'
                             f'{escape(line.key_date_days)}'
                             f'{before if line.cover_short else ""}</span>')
        parts.append(_ROLLUP_ROW.format(
            link=escape(line.link) + query, code=escape(office.code), name=escape(office.name),
            stock=escape(line.stock), average=escape(line.average),
            days_counted=f'<span class="d-block small text-body-secondary">'
                         f'{escape(line.days_counted)}</span>' if line.days_counted else "",
            cover_class=_DANGER if line.cover_short else "", cover=escape(line.cover),
            stockout=escape(line.stockout), runs_out=runs_out if line.runs_out else "–",
            ask_class=' class="text-danger-emphasis fw-semibold"' if line.ask_late else "",
            ask_by=escape(line.ask_by), late=late if line.ask_late else "",
            asked=f'<span class="d-block small" data-testid="asked-{escape(office.code)}">'
                  f'{escape(line.asked)}</span>' if line.asked else "",
            lead_time=escape(line.lead_time), waiting=escape(line.waiting),
            incoming=escape(line.incoming), from_ditjen=escape(line.from_ditjen),
            key_date=escape(line.key_date), key_date_days=key_date_days,
            short_class=_DANGER if line.short else "", shortfall=escape(line.shortfall),
            to_request=escape(line.to_request)))
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
