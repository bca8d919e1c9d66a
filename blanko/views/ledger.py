from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from blanko import access, selectors, services
from blanko.forms import MovementFilterForm, ReverseMovementForm
from blanko.selectors import rebalancing as rebalancing_selectors
from blanko.views.common import apply_form_errors, scoped_office

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Staff land where their work is: an office's staff on its stock page, a province
    coordinator on the province's requests, Ditjen's allocator on the central store;
    anyone else signed in on the list of offices, and the public on the start page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "public_home.html")
    office = access.user_office(user)
    if office is not None and user.has_perm("blanko.view_ledger"):
        return redirect("blanko:stock", code=office.code)
    if not user.is_superuser:
        region = access.user_region(user)
        if region and user.has_perm("blanko.forward_blank_request"):
            return redirect("blanko:province_requests", province=region)
        if access.is_national(user) and user.has_perm("blanko.allocate_blanks"):
            return redirect("blanko:central_home")
    return redirect("blanko:office_list")


@login_required
def office_list(request: HttpRequest) -> HttpResponse:
    offices = access.offices_in_scope(request.user)
    return render(request, "blanko/office_list.html", {
        "offices": selectors.offices_with_stock(offices=offices),
    })


@login_required
def stock(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, "blanko.view_ledger")
    form = MovementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    movements = selectors.office_movements(
        office=office, reason=filters.get("reason") or None,
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    page = Paginator(movements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_reverse = access.has_permission(request.user, "blanko.reverse_movement", office)
    if can_reverse:
        # The rule the service refuses by, read from the row's annotations (no query):
        # "Balik" is offered only where it finds no reason.
        page.object_list = list(page.object_list)
        for movement in page.object_list:
            movement.irreversible = selectors.irreversible_reason(movement=movement)
    # The lender's supervisor lands here: proposals waiting for its decision are told
    # on the stock page too, to those who may decide (one query, theirs alone).
    proposals_waiting = (rebalancing_selectors.waiting_to_lend(office=office)[0]
                         if access.has_permission(request.user, "blanko.manage_loan", office)
                         else 0)
    return render(request, "blanko/stock_detail.html", {
        "office": office,
        "proposals_waiting": proposals_waiting,
        "balances": selectors.office_balances(office=office),
        "outstanding": selectors.outstanding_loans(office=office),
        "shipments": selectors.pending_shipments(office=office),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_reverse": can_reverse,
    })


@login_required
@require_http_methods(["GET", "POST"])
def movement_reverse(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, "blanko.reverse_movement")
    movement = get_object_or_404(
        selectors.office_movements(office=office), pk=pk
    )
    form = ReverseMovementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.reverse_movement(
                movement=movement, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("Mutasi #%(id)s telah dibalik dengan mutasi #%(rid)s.")
                             % {"id": movement.pk, "rid": reversal.pk})
            return redirect("blanko:stock", code=office.code)
    return render(request, "blanko/movement_reverse_form.html", {
        "office": office, "movement": movement, "form": form,
        # Told before typing a reason, with the message the service refuses with.
        "refusal": selectors.irreversible_reason(movement=movement),
    })


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
