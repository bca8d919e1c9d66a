"""Forms of the supply network's pages: the province coordinator forwards an office's
request for blanks, the national allocator receives procurement into the central store,
allocates and dispatches. Each is carried out by a service of blanko.services.supply;
the forms check only the shape of what was typed, the services every rule."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blanko.forms import DateInput, QuantityField
from blanko.loan_forms import NOTE_MAX_LENGTH, REFERENCE_MAX_LENGTH, ActionForm, OnceOnlyForm
from blanko.models import MAX_QUANTITY


def _note_field(label, help_text) -> forms.CharField:
    return forms.CharField(label=label, max_length=NOTE_MAX_LENGTH, required=False,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": 2}))


def _today_initial(kwargs: dict, name: str) -> None:
    kwargs.setdefault("initial", {}).setdefault(name, timezone.localdate())


class ForwardForm(ActionForm):
    """The province coordinator forwards a request to Ditjen (services.forward_blank_request).

    No key: forwarding takes no idempotency key, and needs none. The service refuses a
    request that is no longer SUBMITTED, so a second click is answered with that refusal
    and writes nothing."""

    quantity = QuantityField(
        label=_("Jumlah diteruskan"),
        help_text=_("Jumlah yang diminta kantor. Bila diubah, tuliskan alasannya."))
    note = _note_field(_("Catatan"), _("Wajib diisi bila jumlahnya diubah."))
    submit_label = _("Teruskan ke Ditjen")


class AllocateForm(ActionForm):
    """The national allocator approves 0..asked blanks (services.allocate_blanks).

    No key, for the reason of ForwardForm: only a FORWARDED request can be allocated."""

    quantity = forms.IntegerField(
        label=_("Jumlah dialokasikan"), min_value=0, max_value=MAX_QUANTITY,
        help_text=_("Dari 0 sampai jumlah yang diminta, dan tidak melebihi stok bebas "
                    "gudang pusat. 0 berarti permohonan ditolak."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = _note_field(_("Catatan"), _("Wajib diisi bila permohonan ditolak (jumlah 0)."))
    submit_label = _("Simpan alokasi")


class DispatchForm(OnceOnlyForm):
    """A shipment of allocated blanks to the office, under a BAST (services.dispatch_blanks)."""

    quantity = QuantityField(label=_("Jumlah dikirim"))
    reference = forms.CharField(label=_("Nomor BAST"), max_length=REFERENCE_MAX_LENGTH)
    occurred_on = forms.DateField(label=_("Tanggal kirim"), widget=DateInput())
    submit_label = _("Kirim blanko")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "occurred_on")
        super().__init__(*args, **kwargs)


class CentralReceiveForm(OnceOnlyForm):
    """Procurement into the central store (services.receive_into_central_store)."""

    quantity = QuantityField(label=_("Jumlah diterima"))
    reference = forms.CharField(label=_("Nomor kontrak / BAST"),
                                max_length=REFERENCE_MAX_LENGTH)
    occurred_on = forms.DateField(label=_("Tanggal terima"), widget=DateInput())
    submit_label = _("Catat penerimaan")

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "occurred_on")
        super().__init__(*args, **kwargs)
