"""The national allocator's allocation plan: the proposal of layanan.supervision.planning
for every request waiting for Ditjen, each quantity adjustable, carried out with one
button through blanko.services.allocate_blanks, one request at a time.

Only a national allocator (blanko.allocate_blanks at the central store, as every page of
the central store): anyone else gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, minus its per-call wrapper

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from blanko import selectors, services
from blanko.formatting import TableFormat, number, parse_digits, parse_whole
from blanko.models import BlankRequest
from blanko.views.common import url_for_each
from blanko.views.supply_network import central_store
from layanan.supervision import planning

MAX_QUANTITY = 10_000_000  # the services' own ceiling for a quantity


# Stored on the request's history, which the office reads: in the site's language, not
# in the allocator's.
PLAN_NOTE = "Menurut rencana alokasi."


def quantity_field(pk: int) -> str:
    return f"jumlah-{pk}"


def _posted_quantities(request: HttpRequest) -> tuple[dict[int, int], set[int], int]:
    """The quantity posted for each request of the form, in the form's order (the plan's,
    most urgent first); the requests whose box holds no whole number in range; and how
    many lines named no request at all (a tampered or broken form)."""
    quantities, unreadable_boxes, unreadable = {}, set(), 0
    for raw_pk in request.POST.getlist("permohonan"):
        pk = parse_digits(raw_pk)
        if pk is None:
            unreadable += 1
            continue
        quantity = parse_whole(request.POST.get(quantity_field(pk)))
        if quantity is None or quantity > MAX_QUANTITY:
            unreadable_boxes.add(pk)
            continue
        quantities[pk] = quantity
    return quantities, unreadable_boxes, unreadable


def _whole_number_errors(pks: set[int]) -> dict[int, str]:
    """Each box that holds no whole number, with the range of its own line, 0 to what
    its request asked (as a line beyond it says): "0 to 10,000,000" on a line that asked
    for 1,500 told the allocator nothing. A request no longer waiting keeps the
    services' ceiling. One query."""
    asked = {blank_request.pk: blank_request.asked for blank_request in
             selectors.blank_requests(statuses=[BlankRequest.Status.FORWARDED])
             .filter(pk__in=list(pks)).select_related(None).defer("figures")}
    return {pk: _("Isi jumlah bulat dari 0 sampai %(max)s.") % {
        "max": number(asked.get(pk, MAX_QUANTITY))} for pk in pks}


def _beyond_what_is_there(quantities: dict[int, int]) -> tuple[dict[int, str], str]:
    """Why lines, or the form as a whole, ask too much: a line beyond what its request
    asked, and the lines still waiting together beyond the central store's free stock
    (or the last ones would be refused one by one after the first were allocated). Each
    allocation checks both again, locked."""
    waiting = selectors.blank_requests(statuses=[BlankRequest.Status.FORWARDED]).filter(
        pk__in=list(quantities)).select_related(None).defer("figures")
    errors, total = {}, 0
    for blank_request in waiting:
        quantity = quantities[blank_request.pk]
        if quantity > blank_request.asked:
            errors[blank_request.pk] = _("Lebih dari yang diminta: isi 0 sampai %(asked)s.") % {
                "asked": number(blank_request.asked)}
        total += quantity
    free = selectors.central_stock()["free"]
    if errors or total <= free:
        return errors, ""
    return errors, _("Jumlah yang akan dialokasikan (%(total)s) melebihi stok bebas gudang "
                     "pusat (%(free)s) sebanyak %(over)s.") % {
        "total": number(total), "free": number(free), "over": number(total - free)}


def _allocate_all(request: HttpRequest, quantities: dict[int, int]) -> int:
    """Calls allocate_blanks for each line above 0, each in its own transaction, and says
    what became of every line. A line at 0 stays waiting: allocating 0 would refuse the
    request, which needs a written reason (the request's own allocation page). Returns
    how many lines named a request that does not exist."""
    found = selectors.blank_requests().in_bulk(list(quantities))
    missing = 0
    for pk, quantity in quantities.items():
        blank_request = found.get(pk)
        if blank_request is None:
            missing += 1
            continue
        values = {"number": blank_request.number, "office": blank_request.office.name,
                  "quantity": number(quantity), "asked": number(blank_request.asked)}
        if blank_request.status in BlankRequest.ALLOCATED_STATUSES + (
                BlankRequest.Status.RECEIVED,):
            # The form sent twice (a double click, Back and send again): the first one
            # allocated it; say so rather than call the replay an error.
            messages.info(request, _(
                "Permohonan %(number)s dari %(office)s sudah dialokasikan %(allocated)s "
                "blanko; tidak diubah.") % {
                **values, "allocated": number(blank_request.allocated_quantity or 0)})
            continue
        if quantity == 0:
            messages.info(request, _("Permohonan %(number)s dari %(office)s tidak "
                                     "dialokasikan (0) dan tetap menunggu alokasi.") % values)
            continue
        try:
            services.allocate_blanks(blank_request=blank_request, quantity=quantity,
                                     by=request.user, note=PLAN_NOTE)
        except ValidationError as error:
            messages.error(request, _("Permohonan %(number)s dari %(office)s tidak "
                                      "dialokasikan: %(reason)s") % {
                **values, "reason": " ".join(error.messages)})
        else:
            messages.success(request, _("Permohonan %(number)s dari %(office)s "
                                        "dialokasikan %(quantity)s dari %(asked)s blanko "
                                        "yang diminta.") % values)
    return missing


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan's table, as text: 514 rows of template filters, blocktrans
    and lookups were most of the page's time (as on the rollup)."""

    line: planning.AllocationLine
    pk: str  # plain digits: a hidden field and a test id, never "1.234"
    allocate_url: str  # the request's own allocation page (to refuse it, with a reason)
    field: str
    value: str  # the box's value: plain digits, or what was typed
    max: str
    label: str
    error: str
    asked: str
    stock: str
    average: str
    incoming: str
    lead_time: str
    cover_before: str
    floor_need: str
    phase1: str
    proposed_note: str  # "usulan 704" under a box whose value is not the proposal
    cover_after: str


def plan_rows(lines: list[planning.AllocationLine], *, posted: dict[int, str],
              errors: dict[int, str]) -> list[PlanRow]:
    fmt = TableFormat()
    label = _("Jumlah dialokasikan untuk %(number)s")
    proposed = _("usulan %(proposed)s")
    no_use = _("tanpa pemakaian")
    allocate_url = url_for_each("blanko:central_allocate")

    def days(value) -> str:
        return "–" if value is None else fmt.one_decimal(value)

    rows = []
    for line in lines:
        pk = line.request.pk
        rows.append(PlanRow(
            # The plan's figure goes with the link: the page then offers it, not the
            # whole quantity asked.
            line=line, pk=str(pk), allocate_url=f"{allocate_url(pk)}?jumlah={line.proposed}",
            field=quantity_field(pk),
            value=str(posted.get(pk, line.proposed)), max=str(line.asked),
            label=label % {"number": line.request.number}, error=errors.get(pk, ""),
            asked=fmt.grouped(line.asked), stock=fmt.grouped(line.stock),
            average=days(line.average_shown), incoming=fmt.grouped(line.incoming),
            lead_time=fmt.grouped(line.lead_time_days),
            cover_before=no_use if line.cover_before_shown is None
            else fmt.one_decimal(line.cover_before_shown),
            floor_need=fmt.grouped(line.floor_need), phase1=fmt.grouped(line.phase1),
            proposed_note=proposed % {"proposed": fmt.grouped(line.proposed)}
            if line.adjusted else "",
            cover_after=days(line.cover_after_shown)))
    return rows


# One row of the table. Written here rather than as a template loop: 514 rows of about
# twenty variables each took some 150 ms to render through the template engine, the
# whole page's budget. Every text is escaped; the numbers are formatted digits.
_ROW = (
    '<tr data-testid="plan-{pk}"><td>{office}</td>'
    '<td><a href="{allocate_url}" data-testid="allocate-{pk}">{number}</a>'
    '<input type="hidden" name="permohonan" value="{pk}"></td>'
    '<td class="num">{asked}</td><td class="num">{stock}</td><td class="num">{average}</td>'
    '<td class="num">{incoming}</td><td class="num">{lead_time}</td>'
    '<td class="num">{cover_before}</td><td class="num">{floor_need}</td>'
    '<td class="num">{phase1}</td><td>'
    '<label class="visually-hidden" for="id_{field}">{label}</label>'
    '<input type="number" min="0" max="{max}" step="1" class="form-control '
    'form-control-sm plan-quantity{invalid}" id="id_{field}" name="{field}" '
    'value="{value}"{described}>{error}{note}</td><td class="num">{cover_after}</td></tr>'
)


def rows_html(rows: list[PlanRow]) -> SafeString:
    parts = []
    for row in rows:
        error = escape(row.error)
        parts.append(_ROW.format(
            pk=row.pk, office=escape(row.line.office.name),
            number=escape(row.line.request.number), allocate_url=escape(row.allocate_url),
            asked=row.asked, stock=row.stock,
            average=row.average, incoming=row.incoming, lead_time=row.lead_time,
            cover_before=escape(row.cover_before), floor_need=row.floor_need,
            phase1=row.phase1, field=row.field, label=escape(row.label), max=row.max,
            value=escape(row.value),
            invalid=" is-invalid" if error else "",
            described=f' aria-invalid="true" aria-describedby="err_{row.field}"'
            if error else "",
            error=f'<div class="invalid-feedback" id="err_{row.field}">{error}</div>'
            if error else "",
            note=f'<div class="form-text">{escape(row.proposed_note)}</div>'
            if row.proposed_note else "",
            cover_after=row.cover_after))
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@login_required
@require_http_methods(["GET", "POST"])
def allocation_plan(request: HttpRequest) -> HttpResponse:
    central = central_store(request)
    errors: dict[int, str] = {}
    posted: dict[int, str] = {}
    over_free = ""
    if request.method == "POST":
        quantities, unreadable_boxes, unreadable = _posted_quantities(request)
        errors = _whole_number_errors(unreadable_boxes) if unreadable_boxes else {}
        if not quantities and not errors and not unreadable:
            messages.warning(request, _("Tidak ada permohonan yang dikirim untuk "
                                        "dialokasikan."))
            return redirect("layanan:allocation_plan")
        if not errors:
            errors, over_free = _beyond_what_is_there(quantities)
        if not errors and not over_free:
            skipped = unreadable + _allocate_all(request, quantities)
            if skipped:
                messages.warning(request, ngettext(
                    "%(count)s baris tidak menunjuk permohonan yang ada dan dilewati; "
                    "muat ulang halaman ini.",
                    "%(count)s baris tidak menunjuk permohonan yang ada dan dilewati; "
                    "muat ulang halaman ini.", skipped) % {"count": number(skipped)})
            return redirect("layanan:allocation_plan")
        # Nothing allocated: the form again, with what was typed and what is wrong.
        posted = {pk: request.POST.get(quantity_field(pk), "") for pk in
                  (*quantities, *errors)}
    lines = planning.allocation_plan()
    stock = selectors.central_stock()
    return render(request, "layanan/allocation_plan.html", {
        "central": central, "stock": stock,
        "totals": planning.plan_totals(lines, free=stock["free"]),
        "rows": (rows := plan_rows(lines, posted=posted, errors=errors)),
        "rows_html": rows_html(rows),
        "has_errors": bool(errors or over_free), "over_free": over_free,
    }, status=400 if errors or over_free else 200)
