"""The supervisor's stock work: the stock count (opname) and the destruction of spoiled
blanks, which until now only the Django admin recorded.

A stock count takes two steps: the first shows what would be recorded (the ledger's
count on that date, the difference and the adjustment it posts), the second confirms
it. The confirmation carries the values and the ledger's count it was shown in hidden
fields; record_stock_count refuses it if that count has changed since, and the page
then shows the new difference instead of posting one nobody saw.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from blanko import selectors, services
from blanko.formatting import number
from blanko.forms import DestructionForm, StockCountConfirmForm, StockCountForm
from blanko.models import Office
from blanko.services.stock import StockCountPreview, preview_stock_count
from blanko.views.common import apply_form_errors, scoped_office

COUNT = "blanko.count_stock"
DESTROY = "blanko.destroy_blank"
# The berita acara page belongs to the supervisor's reports (layanan.supervision).
READ_REPORT = "layanan.view_report"
RECENT = 10

# The services name the date of any movement `occurred_on`, a document number `reference`.
COUNT_FIELDS = {"occurred_on": "counted_on"}
DESTRUCTION_FIELDS = {"occurred_on": "destroyed_on", "reference": "number"}


def _show_error(form: Form, error: ValidationError, *, renamed: dict[str, str]) -> None:
    """A service's refusal on the form: its field names renamed to the form's, and a
    shortage (InsufficientStock has no field) on the quantity."""
    if hasattr(error, "error_dict"):
        error = ValidationError({renamed.get(field, field): errors
                                 for field, errors in error.error_dict.items()})
    elif getattr(error, "code", None) == "insufficient_stock" and "quantity" in form.fields:
        error = ValidationError({"quantity": error})
    apply_form_errors(form, error)


def _signed(value: int) -> str:
    return f"+{number(value)}" if value > 0 else number(value)


# --- Stock count (opname) ----------------------------------------------------------------


def _preview(request: HttpRequest, office: Office, form: StockCountForm
             ) -> StockCountPreview | None:
    """The count the form describes, checked as the service checks it; None (and the
    errors on the form) when it would be refused."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return preview_stock_count(
            office=office, by=request.user, counted_quantity=data["counted_quantity"],
            reason=data["reason"], counted_on=data["counted_on"],
        )
    except ValidationError as error:
        _show_error(form, error, renamed=COUNT_FIELDS)
        return None


def _confirm_form(preview: StockCountPreview, key: str, office: Office
                  ) -> StockCountConfirmForm:
    values = {
        "counted_quantity": preview.counted_quantity,
        "counted_on": preview.counted_on.isoformat(), "reason": preview.reason,
        "system_quantity": preview.system_quantity, "key": key,
    }
    seal = StockCountConfirmForm.sealed(office_code=office.code, values=values)
    return StockCountConfirmForm(initial={**values, "seal": seal})


def _counted_message(count) -> str:
    day = date_format(count.counted_on, "j F Y")
    if count.movement_id is None:
        return _("Stock opname %(day)s dicatat: jumlah fisik sama dengan sistem, tidak ada "
                 "penyesuaian.") % {"day": day}
    return _("Stock opname %(day)s dicatat: selisih %(difference)s blanko diposting sebagai "
             "mutasi penyesuaian #%(id)s.") % {
        "day": day, "difference": _signed(count.difference), "id": count.movement_id}


def _confirm(request: HttpRequest, office: Office) -> HttpResponse | dict:
    """Records the confirmed count; or the context to show again (a refusal, or the
    preview recomputed when the ledger has changed since it was shown)."""
    confirm = StockCountConfirmForm(request.POST)
    form = StockCountForm(request.POST)
    if not (confirm.is_valid() and confirm.matches_preview(office_code=office.code)):
        # Hidden fields edited by hand, or a preview too old: back to step one.
        if form.is_valid():
            form.add_error(None, _("Isian pratinjau tidak sah; periksa lagi lalu pratinjau "
                                   "ulang."))
        return {"form": form}
    data = confirm.cleaned_data
    try:
        count = services.record_stock_count(
            office=office, by=request.user, counted_quantity=data["counted_quantity"],
            reason=data["reason"], counted_on=data["counted_on"],
            expected_system_quantity=data["system_quantity"], idempotency_key=data["key"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "system_changed":
            # Nothing was written: show the new difference, to be confirmed again.
            preview = _preview(request, office, form)
            if preview is not None:
                return {"preview": preview, "confirm": _confirm_form(preview, data["key"], office),
                        "notice": error.messages[0]}
            return {"form": form}
        form.is_valid()
        form.renew_key()
        _show_error(form, error, renamed=COUNT_FIELDS)
        return {"form": form}
    messages.success(request, _counted_message(count))
    return redirect("blanko:stock_count", code=office.code)


@login_required
@require_http_methods(["GET", "POST"])
def stock_count(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, COUNT)
    step = request.POST.get("step")
    context: dict = {"form": StockCountForm()}
    if request.method == "POST" and step == "confirm":
        outcome = _confirm(request, office)
        if isinstance(outcome, HttpResponse):
            return outcome
        context = outcome
    elif request.method == "POST" and step == "edit":
        context = {"form": StockCountForm(request.POST)}
    elif request.method == "POST":
        form = StockCountForm(request.POST)
        preview = _preview(request, office, form)
        context = ({"preview": preview,
                    "confirm": _confirm_form(preview, form.cleaned_data["key"], office)}
                   if preview is not None else {"form": form})
    preview = context.get("preview")
    return render(request, "blanko/stock_count_form.html", {
        **context,
        "office": office,
        "adjustment": abs(preview.difference) if preview else 0,
        "counts": selectors.stock_counts(office=office)[:RECENT],
    })


# --- Destruction ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def destruction_create(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, DESTROY)
    form = DestructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            destruction = services.destroy_spoiled(
                office=office, by=request.user, quantity=data["quantity"],
                number=data["number"], destroyed_on=data["destroyed_on"],
                witnesses=data["witnesses"], note=data["note"], idempotency_key=data["key"],
            )
        except ValidationError as error:
            form.renew_key()
            _show_error(form, error, renamed=DESTRUCTION_FIELDS)
        else:
            messages.success(request, _(
                "Pemusnahan %(quantity)s blanko rusak dicatat dengan berita acara nomor "
                "%(number)s.") % {"quantity": number(destruction.quantity),
                                  "number": destruction.number})
            if request.user.has_perm(READ_REPORT):
                return redirect("layanan:destruction_report", code=office.code,
                                pk=destruction.pk)
            return redirect("blanko:destruction_create", code=office.code)
    return render(request, "blanko/destruction_form.html", {
        "office": office,
        "form": form,
        "spoiled": selectors.office_balances(office=office).get("spoiled", 0),
        "destructions": selectors.destructions(office=office)[:RECENT],
        "can_read_report": request.user.has_perm(READ_REPORT),
    })
