"""The national allocator's allocation plan: the proposal of layanan.supervision.planning
for every request waiting for Ditjen, each quantity adjustable, carried out with one
button through blanko.services.allocate_blanks, one request at a time.

Only a national allocator (blanko.allocate_blanks at the central store, as every page of
the central store): anyone else gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from blanko import selectors, services
from blanko.formatting import number
from blanko.views.supply_network import central_store
from layanan.supervision import planning

MAX_QUANTITY = 10_000_000  # the services' own ceiling for a quantity


def quantity_field(pk: int) -> str:
    return f"jumlah-{pk}"


def _posted_quantities(request: HttpRequest) -> tuple[dict[int, int], dict[int, str]]:
    """The quantity posted for each request of the form, in the form's order (the plan's,
    most urgent first); and the errors of those that are no whole number in range."""
    quantities, errors = {}, {}
    for raw_pk in request.POST.getlist("permohonan"):
        if not raw_pk.isdigit():
            continue
        pk = int(raw_pk)
        raw = (request.POST.get(quantity_field(pk)) or "").strip().replace(".", "")
        if not raw.isdigit() or int(raw) > MAX_QUANTITY:
            errors[pk] = _("Isi jumlah bulat dari 0 sampai %(max)s.") % {
                "max": number(MAX_QUANTITY)}
            continue
        quantities[pk] = int(raw)
    return quantities, errors


def _allocate_all(request: HttpRequest, quantities: dict[int, int]) -> None:
    """Calls allocate_blanks for each line above 0, each in its own transaction, and says
    what became of every line. A line at 0 stays waiting: allocating 0 would refuse the
    request, which needs a written reason (the request's own allocation page)."""
    found = selectors.blank_requests().in_bulk(list(quantities))
    for pk, quantity in quantities.items():
        blank_request = found.get(pk)
        if blank_request is None:
            continue
        values = {"number": blank_request.number, "office": blank_request.office.name,
                  "quantity": number(quantity), "asked": number(blank_request.asked)}
        if quantity == 0:
            messages.info(request, _("Permohonan %(number)s dari %(office)s tidak "
                                     "dialokasikan (0) dan tetap menunggu alokasi.") % values)
            continue
        try:
            services.allocate_blanks(blank_request=blank_request, quantity=quantity,
                                     by=request.user, note=_("Menurut rencana alokasi."))
        except ValidationError as error:
            messages.error(request, _("Permohonan %(number)s dari %(office)s tidak "
                                      "dialokasikan: %(reason)s") % {
                **values, "reason": " ".join(error.messages)})
        else:
            messages.success(request, _("Permohonan %(number)s dari %(office)s "
                                        "dialokasikan %(quantity)s dari %(asked)s blanko "
                                        "yang diminta.") % values)


@login_required
@require_http_methods(["GET", "POST"])
def allocation_plan(request: HttpRequest) -> HttpResponse:
    central = central_store(request)
    errors: dict[int, str] = {}
    posted: dict[int, str] = {}
    if request.method == "POST":
        quantities, errors = _posted_quantities(request)
        if not quantities and not errors:
            messages.warning(request, _("Tidak ada permohonan yang dikirim untuk "
                                        "dialokasikan."))
            return redirect("layanan:allocation_plan")
        if not errors:
            _allocate_all(request, quantities)
            return redirect("layanan:allocation_plan")
        # Nothing allocated: the form again, with what was typed and what is wrong.
        posted = {pk: request.POST.get(quantity_field(pk), "") for pk in
                  (*quantities, *errors)}
    lines = planning.allocation_plan()
    stock = selectors.central_stock()
    return render(request, "layanan/allocation_plan.html", {
        "central": central, "stock": stock,
        "totals": planning.plan_totals(lines, free=stock["free"]),
        "rows": [{"line": line, "field": quantity_field(line.request.pk),
                  "value": posted.get(line.request.pk, line.proposed),
                  "error": errors.get(line.request.pk, "")} for line in lines],
        "has_errors": bool(errors),
    }, status=400 if errors else 200)
