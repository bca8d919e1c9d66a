from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blanko.models import MAX_QUANTITY, Movement


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MovementFilterForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Alasan"), required=False,
        choices=[("", _("Semua alasan")), *Movement.Reason.choices],
    )
    date_from = forms.DateField(label=_("Dari tanggal"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Row(
            Column("reason", css_class="col-md-4"),
            Column("date_from", css_class="col-md-3"),
            Column("date_to", css_class="col-md-3"),
            Column(Submit("filter", _("Saring"), css_class="mt-md-4"), css_class="col-md-2"),
        )


class ReverseMovementForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pembalikan"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Balik mutasi"), css_class="btn-danger"))


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_QUANTITY)
        kwargs.setdefault("label", _("Jumlah"))
        super().__init__(**kwargs)


class LoginForm(AuthenticationForm):
    """Django's Indonesian 'invalid login' text repeats the field name; say it plainly."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau sandi salah. Perhatikan huruf besar dan kecil."
        ),
    }


# --- The supervisor's stock work: stock count (opname) and destruction -------------------


def new_key() -> str:
    return uuid.uuid4().hex


class OnceOnlyForm(forms.Form):
    """Carries a one-time key (the services' idempotency_key), so that a form sent
    twice (a double click, a reload, the Back button) records once. Every form of the
    app that posts once builds on this one, layanan's too."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", new_key())
        super().__init__(*args, **kwargs)

    def renew_key(self) -> None:
        """Gives a refused form a fresh key, so that it is sent again as a new one (the
        refused call wrote nothing; an old key may belong to an earlier record)."""
        self.data = self.data.copy()
        self.data[self.add_prefix("key")] = new_key()


class StockCountForm(OnceOnlyForm):
    """Step one of a stock count: what was counted, when, and why it differs."""

    counted_quantity = forms.IntegerField(
        label=_("Jumlah fisik"), min_value=0, max_value=MAX_QUANTITY,
        help_text=_("Jumlah blanko yang dihitung di gudang stok."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    counted_on = forms.DateField(label=_("Tanggal opname"), initial=timezone.localdate,
                                 widget=DateInput())
    reason = forms.CharField(
        label=_("Alasan selisih / catatan"), max_length=500, required=False,
        help_text=_("Wajib diisi bila jumlah fisik berbeda dengan sistem."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class StockCountConfirmForm(StockCountForm):
    """Step two: the previewed values carried back in hidden fields and checked again,
    with the ledger's count the supervisor saw (record_stock_count refuses the count if
    it has changed since)."""

    system_quantity = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # The previewed values, signed: the count posted is the one the preview showed.
    seal = forms.CharField(widget=forms.HiddenInput)

    SALT = "blanko.stock-count-preview"
    MAX_AGE = 60 * 60  # seconds a preview stays confirmable

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = forms.HiddenInput()

    @classmethod
    def sealed(cls, *, office_code: str, values: dict) -> str:
        return signing.dumps([office_code, *cls._sealed_values(values)], salt=cls.SALT)

    @staticmethod
    def _sealed_values(values: dict) -> list:
        day = values["counted_on"]
        return [int(values["counted_quantity"]), str(day.isoformat() if hasattr(day, "isoformat")
                                                     else day),
                values["reason"], int(values["system_quantity"]), values["key"]]

    def matches_preview(self, *, office_code: str) -> bool:
        """Whether the values sent back are the ones the preview showed, at this office."""
        try:
            sealed = signing.loads(self.cleaned_data["seal"], salt=self.SALT,
                                   max_age=self.MAX_AGE)
        except signing.BadSignature:
            return False
        return sealed == [office_code, *self._sealed_values(self.cleaned_data)]


class DestructionForm(OnceOnlyForm):
    quantity = QuantityField(label=_("Jumlah blanko rusak yang dimusnahkan"))
    number = forms.CharField(label=_("Nomor berita acara"), max_length=100)
    destroyed_on = forms.DateField(label=_("Tanggal pemusnahan"), initial=timezone.localdate,
                                   widget=DateInput())
    witnesses = forms.CharField(
        label=_("Saksi"), max_length=500, required=False,
        help_text=_("Nama dan jabatan; pisahkan beberapa saksi dengan titik koma (;)."),
    )
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Catat pemusnahan")))
