"""Forms behind the admin's 'add' pages. Each one is carried out by a service."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from blanko import services
from blanko.forms import DateInput, QuantityField
from blanko.models import Office

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


def service_fields(**names: str):
    """Shows a service's field errors on this form's fields, e.g. the date rules'
    `occurred_on` on `received_on`: perform(), decorated, renames them."""
    def decorate(perform):
        @functools.wraps(perform)
        def wrapper(self, *, by: AbstractUser):
            try:
                return perform(self, by=by)
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                raise ValidationError({names.get(field, field): errors
                                       for field, errors in error.error_dict.items()}) from error
        return wrapper
    return decorate


class OfficeScopedForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Kantor"), queryset=Office.objects.none())

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices if offices is not None else Office.objects.all()


class DeliveryForm(OfficeScopedForm):
    SOURCE_CHOICES = [("ditjen", _("Ditjen Dukcapil Kemendagri")), ("province", _("Provinsi"))]

    source = forms.ChoiceField(label=_("Sumber"), choices=SOURCE_CHOICES)
    bast_number = forms.CharField(label=_("Nomor BAST"), max_length=100)
    received_on = forms.DateField(label=_("Tanggal terima"), widget=DateInput())
    quantity = QuantityField()
    serial_start = forms.CharField(label=_("Nomor seri awal"), max_length=40, required=False)
    serial_end = forms.CharField(label=_("Nomor seri akhir"), max_length=40, required=False)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    @service_fields(occurred_on="received_on", reference="bast_number")
    def perform(self, *, by: AbstractUser):
        data = self.cleaned_data
        service = (services.receive_allocation if data["source"] == "ditjen"
                   else services.receive_from_province)
        movement = service(
            office=data["office"], quantity=data["quantity"], reference=data["bast_number"],
            by=by, occurred_on=data["received_on"], serial_start=data["serial_start"],
            serial_end=data["serial_end"], note=data["note"],
        )
        return movement.delivery


class PartnerLoanForm(OfficeScopedForm):
    DIRECTIONS = [("borrow", _("Meminjam dari kab/kota lain")),
                  ("lend", _("Meminjamkan ke kab/kota lain"))]

    direction = forms.ChoiceField(label=_("Arah"), choices=DIRECTIONS)
    partner_office = forms.ModelChoiceField(
        label=_("Kantor mitra (pengguna SiBlanko)"), queryset=Office.objects.all(),
        required=False,
        help_text=_("Isi bila mitra memakai SiBlanko; blanko lalu tercatat dalam perjalanan."),
    )
    partner_code = forms.CharField(
        label=_("Kode kab/kota mitra (di luar SiBlanko)"), max_length=4, required=False,
        help_text=_("Mis. 2171 untuk Kota Batam."),
    )
    quantity = QuantityField()
    reference = forms.CharField(label=_("Nomor surat"), max_length=100)
    occurred_on = forms.DateField(label=_("Tanggal"), widget=DateInput())
    due_on = forms.DateField(label=_("Jatuh tempo"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("partner_office")) == bool(data.get("partner_code")):
            raise forms.ValidationError(
                _("Isi salah satu: kantor mitra pengguna SiBlanko, atau kode kab/kota mitra.")
            )
        if data.get("partner_office") and data.get("direction") == "borrow":
            raise forms.ValidationError(
                _("Pinjaman dari kantor pengguna SiBlanko dicatat oleh kantor pemberi pinjaman.")
            )
        return data

    @service_fields(borrower="partner_office")
    def perform(self, *, by: AbstractUser):
        data = self.cleaned_data
        common = {"quantity": data["quantity"], "reference": data["reference"], "by": by,
                  "occurred_on": data["occurred_on"], "note": data["note"],
                  "due_on": data["due_on"]}
        if data["partner_office"]:
            return services.lend_to_office(lender=data["office"], borrower=data["partner_office"],
                                           **common)
        service = (services.borrow_from_partner if data["direction"] == "borrow"
                   else services.lend_to_partner)
        return service(office=data["office"], partner_code=data["partner_code"], **common)


class StockCountForm(OfficeScopedForm):
    counted_quantity = forms.IntegerField(label=_("Jumlah fisik"), min_value=0)
    reason = forms.CharField(label=_("Alasan selisih"), max_length=500, required=False)

    def perform(self, *, by: AbstractUser):
        data = self.cleaned_data
        return services.record_stock_count(office=data["office"], by=by,
                                           counted_quantity=data["counted_quantity"],
                                           reason=data["reason"])


class DestructionForm(OfficeScopedForm):
    number = forms.CharField(label=_("Nomor berita acara"), max_length=100)
    destroyed_on = forms.DateField(label=_("Tanggal pemusnahan"), widget=DateInput())
    quantity = QuantityField()
    witnesses = forms.CharField(label=_("Saksi"), max_length=500, required=False)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)

    @service_fields(occurred_on="destroyed_on", reference="number")
    def perform(self, *, by: AbstractUser):
        data = self.cleaned_data
        return services.destroy_spoiled(
            office=data["office"], quantity=data["quantity"], number=data["number"], by=by,
            destroyed_on=data["destroyed_on"], witnesses=data["witnesses"], note=data["note"],
        )


class MonthCloseForm(OfficeScopedForm):
    month = forms.DateField(label=_("Bulan (tanggal berapa pun di bulan itu)"),
                            widget=DateInput())

    def perform(self, *, by: AbstractUser):
        return services.close_month(office=self.cleaned_data["office"],
                                    month=self.cleaned_data["month"], by=by)


class OfficeForm(forms.Form):
    code = forms.CharField(label=_("Kode kab/kota"), max_length=4)
    name = forms.CharField(label=_("Nama"), max_length=200, required=False,
                           help_text=_("Kosongkan untuk memakai nama dari daftar wilayah."))

    def perform(self, *, by: AbstractUser):
        return services.create_office(code=self.cleaned_data["code"],
                                      name=self.cleaned_data["name"])


