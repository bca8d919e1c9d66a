"""Forms of the supervisor's loan pages. Each is carried out by a service of
blanko.services.loans; the forms check only the shape of what was typed."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blanko import forms as blanko_forms
from blanko.forms import DateInput, QuantityField
from blanko.models import Office
from blanko.regions import regencies

NOTE_MAX_LENGTH = 500
REFERENCE_MAX_LENGTH = 100


class ActionForm(forms.Form):
    """A form of these pages: rendered by crispy, with one submit button."""

    submit_label = _("Simpan")
    submit_classes = "btn btn-primary"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        submit = Submit("submit", self.submit_label)
        submit.field_classes = self.submit_classes
        self.helper.add_input(submit)


class OnceOnlyForm(blanko_forms.OnceOnlyForm, ActionForm):
    """An ActionForm with the one-time key: a resubmitted form (a double click, a reload,
    the Back button) is answered with what the first submission posted."""


def _today_initial(kwargs: dict, *names: str) -> None:
    initial = kwargs.setdefault("initial", {})
    for name in names:
        initial.setdefault(name, timezone.localdate())


class LoanFields(OnceOnlyForm):
    """What every new loan carries: how many, under which letter, when, until when."""

    quantity = QuantityField()
    reference = forms.CharField(label=_("Nomor surat pinjaman"),
                                max_length=REFERENCE_MAX_LENGTH)
    occurred_on = forms.DateField(label=_("Tanggal"), widget=DateInput())
    due_on = forms.DateField(label=_("Jatuh tempo"), required=False, widget=DateInput(),
                             help_text=_("Tanggal pinjaman harus sudah dikembalikan. "
                                         "Boleh dikosongkan."))
    note = forms.CharField(label=_("Catatan"), max_length=NOTE_MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "occurred_on")
        super().__init__(*args, **kwargs)

    def loan_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"quantity": data["quantity"], "reference": data["reference"],
                "occurred_on": data["occurred_on"], "due_on": data["due_on"],
                "note": data["note"], "idempotency_key": data["key"]}


class LendForm(LoanFields):
    """Lending to another office that uses SiBlanko (services.lend_to_office)."""

    borrower = forms.ModelChoiceField(label=_("Kantor peminjam"),
                                      queryset=Office.objects.none())
    submit_label = _("Kirim pinjaman")
    field_order = ["borrower", "quantity", "reference", "occurred_on", "due_on", "note"]

    def __init__(self, *args, lender: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = Office.objects.exclude(pk=lender.pk).order_by("code")
        self.fields["borrower"].label_from_instance = lambda office: (
            f"{office.code} · {office.name}")


class PartnerLoanForm(LoanFields):
    """Borrowing from or lending to a kab/kota outside SiBlanko
    (services.borrow_from_partner, services.lend_to_partner)."""

    BORROW, LEND = "borrow", "lend"
    DIRECTIONS = [(BORROW, _("Kita meminjam dari kab/kota tersebut")),
                  (LEND, _("Kita meminjamkan ke kab/kota tersebut"))]

    # No default: a loan recorded the wrong way round moves stock the wrong way.
    direction = forms.ChoiceField(label=_("Arah"),
                                  choices=[("", _("Pilih arah")), *DIRECTIONS])
    partner_code = forms.ChoiceField(
        label=_("Kab/kota mitra"),
        help_text=_("Hanya kab/kota yang belum memakai SiBlanko. Dengan kantor pengguna "
                    "SiBlanko, catat sebagai pinjaman antarkantor."),
    )
    submit_label = _("Catat pinjaman")
    field_order = ["direction", "partner_code", "quantity", "reference", "occurred_on",
                   "due_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        in_siblanko = set(Office.objects.values_list("code", flat=True))
        self.fields["partner_code"].choices = [
            ("", _("Pilih kab/kota")),
            *((r.code, f"{r.code} · {r.name}") for r in regencies() if r.code not in in_siblanko),
        ]


class ReceiveForm(OnceOnlyForm):
    """The receiver confirms a shipment, in part or in full (services.confirm_receipt)."""

    quantity = QuantityField(label=_("Jumlah diterima"))
    occurred_on = forms.DateField(label=_("Tanggal terima"), widget=DateInput())
    submit_label = _("Konfirmasi penerimaan")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "occurred_on")
        super().__init__(*args, **kwargs)


class CancelShipmentForm(ActionForm):
    """Either side cancels what is still in transit (services.cancel_shipment).

    No key: cancelling takes no idempotency key, and needs none to be posted once. It
    locks the shipment and refuses one with nothing left in transit, so a second
    submission finds it cancelled and is refused."""

    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=NOTE_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))
    submit_label = _("Batalkan pengiriman")
    submit_classes = "btn btn-danger"


class RepayForm(OnceOnlyForm):
    """Paying a loan back, in part or in full (services.repay_loan)."""

    quantity = QuantityField(label=_("Jumlah dikembalikan"))
    reference = forms.CharField(
        label=_("Nomor surat pengembalian"), max_length=REFERENCE_MAX_LENGTH, required=False,
        help_text=_("Boleh dikosongkan: dipakai nomor surat pinjaman."))
    occurred_on = forms.DateField(label=_("Tanggal pengembalian"), widget=DateInput())
    submit_label = _("Catat pengembalian")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "occurred_on")
        super().__init__(*args, **kwargs)


class DueDateForm(ActionForm):
    """A loan's due date, changed or cleared (services.set_loan_due_date). No key:
    setting a date twice leaves the same date."""

    due_on = forms.DateField(label=_("Jatuh tempo"), required=False, widget=DateInput(),
                             help_text=_("Kosongkan untuk menghapus jatuh tempo."))
    submit_label = _("Simpan jatuh tempo")
