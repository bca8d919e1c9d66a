"""The supply network's pages: the province coordinator's list of its offices' requests
for blanks and the forward to Ditjen; the national allocator's central store, its
procurement, allocation and dispatch.

Thin, as the loan pages: each page checks the permission and the scope at the top (a
province in the URL that is not the user's own: 404; a page of the central store for
anyone but a national allocator: 403), finds the request among those in scope, and calls
one service of blanko.services.supply, which checks the permission again and every rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from blanko import access, regions, selectors, services
from blanko.formatting import number, parse_digits
from blanko.loan_forms import CancelShipmentForm
from blanko.models import BlankRequest, Office, Shipment
from blanko.network_forms import AllocateForm, CentralReceiveForm, DispatchForm, ForwardForm
from blanko.supply_figures import figure_rows
from blanko.supply_forms import PREFILL
from blanko.views.common import carry_out

FORWARD = "blanko.forward_blank_request"
VIEW = "blanko.view_blank_request"
ALLOCATE = "blanko.allocate_blanks"
Status = BlankRequest.Status

ALL = "semua"  # ?status=semua: every request of the province, whatever its status
USE_DAYS = 28  # the window of "used lately" beside each office's stock now
# Requests whose allocation may still wait, in part, in the central store.
DISPATCHABLE = BlankRequest.ALLOCATED_STATUSES


def _carry_out(request: HttpRequest, form, perform: Callable[[dict], str],
               success_url: str) -> HttpResponse | None:
    return carry_out(request, form, perform, success_url=success_url,
                     review=_("halaman gudang pusat"))


@dataclass(frozen=True)
class RequestLine:
    """One request of a list, with what the office holds now beside what it sent."""

    blank_request: BlankRequest
    age_days: int
    stock_now: int | None = None
    used_lately: int | None = None


def _request_page(blank_request: BlankRequest) -> dict:
    """What every page of one request shows: it, its age, its figures, its history."""
    return {"blank_request": blank_request,
            "age_days": blank_request.age_days(timezone.localdate()),
            "figures": figure_rows(blank_request.figures),
            "events": list(blank_request.events.select_related("by"))}


# --- The province coordinator ----------------------------------------------------------


def province_offices(request: HttpRequest, province: str) -> QuerySet[Office]:
    """The offices of the province in the URL, for a user who may see its requests there.

    Office staff (who hold view_blank_request at their own office) get a 403: this is
    not their page. Another province, or a code that is no province: 404, so that the
    page reveals nothing of it. National users and superusers see every province.
    """
    user = request.user
    if not (user.has_perm(FORWARD) or user.has_perm(VIEW)) or access.user_office(user):
        raise PermissionDenied
    profile = getattr(user, "staff_profile", None)
    own = profile.region_code if profile else ""
    found = regions.region(province)
    if found is None or found.level != "province" or not (
            access.is_national(user) or own == province):
        raise Http404
    return access.offices_in_scope(user).filter(code__startswith=province)


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", Status.SUBMITTED)
    return status if status == ALL or status in Status.values else Status.SUBMITTED


@login_required
@require_GET
def province_requests(request: HttpRequest, province: str) -> HttpResponse:
    offices = province_offices(request, province)
    today = timezone.localdate()
    status = _status_filter(request)
    found = list(selectors.blank_requests(
        offices=offices, statuses=None if status == ALL else [status]))
    ids = {r.office_id for r in found}
    stock = {o.pk: o.stock or 0 for o in selectors.offices_with_stock(
        offices=offices.filter(pk__in=ids))} if ids else {}
    used = selectors.used_by_office(
        office_ids=ids, start=today - datetime.timedelta(days=USE_DAYS - 1), end=today,
    ) if ids else {}
    lines = [RequestLine(blank_request=r, age_days=r.age_days(today),
                         stock_now=stock.get(r.office_id, 0),
                         used_lately=used.get(r.office_id, 0)) for r in found]
    return render(request, "blanko/province_requests.html", {
        "province": province, "province_name": regions.region_name(province),
        "lines": lines, "status": status, "use_days": USE_DAYS,
        "filters": [(Status.SUBMITTED, _("Menunggu provinsi")), *(
            (value, label) for value, label in Status.choices if value != Status.SUBMITTED),
            (ALL, _("Semua"))],
        "can_forward": request.user.has_perm(FORWARD),
    })


@login_required
@require_http_methods(["GET", "POST"])
def province_forward(request: HttpRequest, province: str, pk: int) -> HttpResponse:
    if not request.user.has_perm(FORWARD):
        raise PermissionDenied
    offices = province_offices(request, province)
    blank_request = get_object_or_404(selectors.blank_requests(offices=offices), pk=pk)
    form = ForwardForm(request.POST or None, initial={"quantity": blank_request.quantity})

    def perform(data: dict) -> str:
        # The office's own figure is no change: only another one needs a note.
        changed = data["quantity"] if data["quantity"] != blank_request.quantity else None
        forwarded = services.forward_blank_request(
            blank_request=blank_request, by=request.user, quantity=changed, note=data["note"])
        return _("Permohonan %(number)s dari %(office)s diteruskan ke Ditjen: %(quantity)s "
                 "blanko.") % {"number": forwarded.number, "office": forwarded.office.name,
                                "quantity": number(forwarded.asked)}

    back = reverse("blanko:province_requests", kwargs={"province": province})
    response = _carry_out(request, form, perform, back)
    if response is None and request.method == "POST":
        blank_request.refresh_from_db()  # a refusal may come from a change since the page loaded
    return response or render(request, "blanko/province_forward_form.html", {
        **_request_page(blank_request), "form": form, "back": back,
        "province": province, "waiting": blank_request.status == Status.SUBMITTED,
    })


# --- The national allocator ------------------------------------------------------------


def central_store(request: HttpRequest) -> Office:
    """The central store, for a national allocator; 403 for anyone else (a province
    coordinator, office staff), whom ensure_permission refuses."""
    central = services.central_office()
    access.ensure_permission(request.user, ALLOCATE, central)
    return central


def _lines(requests, today) -> list[RequestLine]:
    return [RequestLine(blank_request=r, age_days=r.age_days(today)) for r in requests]


@login_required
@require_GET
def central_home(request: HttpRequest) -> HttpResponse:
    central = central_store(request)
    today = timezone.localdate()
    # Oldest first: the requests that have waited longest come first.
    waiting = list(selectors.blank_requests(statuses=[Status.FORWARDED]))[::-1]
    allocated = [r for r in selectors.blank_requests(statuses=list(DISPATCHABLE))
                 if r.undispatched][::-1]
    return render(request, "blanko/central_home.html", {
        "central": central, "stock": selectors.central_stock(), "today": today,
        "waiting": _lines(waiting, today), "allocated": _lines(allocated, today),
        "shipments": list(selectors.pending_shipments(office=central)
                          .select_related("blank_request")),
    })


@login_required
@require_http_methods(["GET", "POST"])
def central_receive(request: HttpRequest) -> HttpResponse:
    central = central_store(request)
    form = CentralReceiveForm(request.POST or None)

    def perform(data: dict) -> str:
        movement = services.receive_into_central_store(
            quantity=data["quantity"], reference=data["reference"], by=request.user,
            occurred_on=data["occurred_on"], idempotency_key=data["key"])
        return _("Penerimaan %(quantity)s blanko ke gudang pusat tercatat (%(reference)s)."
                 ) % {"quantity": number(movement.quantity), "reference": movement.reference}

    return _carry_out(request, form, perform, reverse("blanko:central_home")) or render(
        request, "blanko/central_receive_form.html", {
            "central": central, "form": form, "stock": selectors.central_stock(),
        })


def _central_request(request: HttpRequest, pk: int) -> BlankRequest:
    central_store(request)
    return get_object_or_404(selectors.blank_requests(), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def central_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    blank_request = _central_request(request, pk)
    # From the allocation plan's link, ?jumlah= carries the plan's figure for this
    # request: offered instead of the whole quantity asked, which would take more than
    # the plan's share of a short store. Anything else offers what was asked.
    from_plan = parse_digits(request.GET.get(PREFILL))
    if from_plan is not None and from_plan > blank_request.asked:
        from_plan = None
    form = AllocateForm(request.POST or None, initial={
        "quantity": blank_request.asked if from_plan is None else from_plan})

    def perform(data: dict) -> str:
        allocated = services.allocate_blanks(blank_request=blank_request,
                                             quantity=data["quantity"], by=request.user,
                                             note=data["note"])
        values = {"number": allocated.number, "office": allocated.office.name,
                  "quantity": number(allocated.allocated_quantity or 0),
                  "asked": number(allocated.asked)}
        if not allocated.allocated_quantity:
            return _("Permohonan %(number)s dari %(office)s ditolak.") % values
        return _("Permohonan %(number)s dari %(office)s dialokasikan %(quantity)s dari "
                 "%(asked)s blanko yang diminta; kirim dari daftar menunggu pengiriman."
                 ) % values

    response = _carry_out(request, form, perform, reverse("blanko:central_home"))
    if response is None and request.method == "POST":
        blank_request.refresh_from_db()  # a refusal may come from a change since the page loaded
    return response or render(request, "blanko/central_allocate_form.html", {
        **_request_page(blank_request), "form": form, "stock": selectors.central_stock(),
        "waiting": blank_request.status == Status.FORWARDED, "from_plan": from_plan,
    })


@login_required
@require_http_methods(["GET", "POST"])
def central_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    blank_request = _central_request(request, pk)
    form = DispatchForm(request.POST or None,
                        initial={"quantity": blank_request.undispatched or None})

    def perform(data: dict) -> str:
        shipment = services.dispatch_blanks(
            blank_request=blank_request, quantity=data["quantity"],
            reference=data["reference"], by=request.user, occurred_on=data["occurred_on"],
            idempotency_key=data["key"])
        return _("Kiriman %(quantity)s blanko ke %(office)s tercatat (BAST %(reference)s). "
                 "Blanko dalam perjalanan sampai kantor itu mengonfirmasi penerimaan.") % {
            "quantity": number(shipment.quantity), "office": shipment.receiver.name,
            "reference": shipment.reference}

    response = _carry_out(request, form, perform, reverse("blanko:central_home"))
    if response is None and request.method == "POST":
        blank_request.refresh_from_db()
    return response or render(request, "blanko/central_dispatch_form.html", {
        **_request_page(blank_request), "form": form, "stock": selectors.central_stock(),
        "shipments": list(blank_request.shipments.order_by("sent_on", "id")),
        "dispatchable": blank_request.status in DISPATCHABLE and blank_request.undispatched,
    })


@login_required
@require_http_methods(["GET", "POST"])
def central_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ditjen cancels what is still on its way of a dispatch (a wrong or lost shipment):
    it returns to the central store, and the request may be dispatched again."""
    central = central_store(request)
    shipment = get_object_or_404(
        selectors.office_shipments(office=central).filter(blank_request__isnull=False), pk=pk)
    form = CancelShipmentForm(request.POST or None)

    def perform(data: dict) -> str:
        movement = services.cancel_shipment(shipment=shipment, by=request.user,
                                            reason=data["reason"])
        return _("Kiriman %(reference)s dibatalkan: %(quantity)s blanko kembali ke gudang "
                 "pusat.") % {"reference": shipment.letter,
                              "quantity": number(movement.quantity)}

    response = _carry_out(request, form, perform, reverse("blanko:central_home"))
    if response is None and request.method == "POST":
        shipment.refresh_from_db()  # a refusal may come from a change since the page loaded
    return response or render(request, "blanko/central_cancel_form.html", {
        "central": central, "form": form, "shipment": shipment,
        "in_transit": shipment.status == Shipment.Status.IN_TRANSIT,
    })

