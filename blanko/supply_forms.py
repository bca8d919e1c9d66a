"""Forms of the office's request-for-blanks pages. Each is carried out by a service of
blanko.services (request_blanks, cancel_blank_request); the forms check only the shape
of what was typed, the services every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from blanko.formatting import parse_digits
from blanko.forms import DateInput, QuantityField
from blanko.loan_forms import NOTE_MAX_LENGTH, ActionForm, OnceOnlyForm
from blanko.models import MAX_QUANTITY

PREFILL = "jumlah"  # ?jumlah=N: the dashboard's "ask Ditjen for" figure


class BlankRequestForm(OnceOnlyForm):
    """A new request for blanks to Ditjen, through the province (services.request_blanks)."""

    quantity = QuantityField(label=_("Jumlah blanko yang diminta"))
    needed_by = forms.DateField(
        label=_("Dibutuhkan paling lambat"), required=False, widget=DateInput(),
        help_text=_("Boleh dikosongkan."))
    note = forms.CharField(
        label=_("Catatan"), max_length=NOTE_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Misalnya alasan permohonan. Ikut tercetak di surat."))
    submit_label = _("Ajukan permohonan")

    @staticmethod
    def prefill(value: str | None) -> dict:
        """The initial quantity from ?jumlah=N, if N is a quantity the form accepts; a
        link with anything else opens an empty form rather than an error."""
        quantity = parse_digits(value)
        if quantity is not None and 1 <= quantity <= MAX_QUANTITY:
            return {"quantity": quantity}
        return {}


class CancelBlankRequestForm(ActionForm):
    """The office withdraws its request before Ditjen allocates
    (services.cancel_blank_request).

    No key: cancelling twice is refused by the service (the request is no longer
    SUBMITTED or FORWARDED), and nothing is written the second time."""

    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=NOTE_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))
    submit_label = _("Batalkan permohonan")
    submit_classes = "btn btn-danger"
