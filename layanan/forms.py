from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from blanko.forms import OnceOnlyForm
from blanko.models import MovementCause, Office
from layanan import rules
from layanan.models import ServiceRequest


class RequestFields(OnceOnlyForm):
    nik = forms.CharField(label=_("NIK"), max_length=30,
                          help_text=_("16 digit, sesuai Kartu Keluarga."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=300)
    kind = forms.ChoiceField(label=_("Jenis permohonan"), choices=ServiceRequest.Kind.choices)
    married = forms.BooleanField(label=_("Sudah atau pernah kawin"), required=False)
    kk_number = forms.CharField(label=_("Nomor KK"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    phone = forms.CharField(label=_("Nomor HP"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    email = forms.CharField(label=_("Email"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    police_report_number = forms.CharField(
        label=_("Nomor surat kehilangan (kepolisian)"), max_length=150, required=False,
        help_text=_("Wajib untuk KTP-el hilang."),
    )
    disaster_victim = forms.BooleanField(label=_("Korban bencana"), required=False)
    replaces_suket = forms.BooleanField(label=_("Saat ini memegang suket"), required=False)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "nik": data["nik"], "full_name": data["full_name"], "kind": data["kind"],
            "married": data["married"], "kk_number": data["kk_number"], "phone": data["phone"],
            "email": data["email"], "police_report_number": data["police_report_number"],
            "disaster_victim": data["disaster_victim"],
            "replaces_suket": data["replaces_suket"], "submission_key": data["key"],
        }


class CounterRequestForm(RequestFields):
    supersede_online = forms.BooleanField(
        label=_("Batalkan permohonan daring yang belum diverifikasi"), required=False,
        help_text=_("Hanya bila pemohon hadir di loket dan masih ada permohonan daring untuk "
                    "NIK dan jenis yang sama yang belum diverifikasi. Permohonan itu "
                    "dibatalkan atas nama Anda."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "key",
            Fieldset(_("Data pemohon"), "nik", "full_name", "kk_number", "married"),
            Fieldset(_("Permohonan"), "kind", "police_report_number", "disaster_victim",
                     "replaces_suket"),
            Fieldset(_("Kontak (opsional)"), "phone", "email"),
            Fieldset(_("Permohonan daring yang ada"), "supersede_online"),
        )
        self.helper.add_input(Submit("submit", _("Daftarkan")))

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(),
                "supersede_online": self.cleaned_data["supersede_online"]}


class OnlineRequestForm(RequestFields):
    office = forms.ModelChoiceField(label=_("Disdukcapil tujuan"),
                                    queryset=Office.objects.order_by("name"))
    # A honeypot: hidden from people by CSS, filled in by form-spamming bots.
    website = forms.CharField(label=_("Jangan diisi"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value, label) for value, label in ServiceRequest.Kind.choices
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "key",
            Fieldset(_("Kantor"), "office"),
            Fieldset(_("Data pemohon"), "nik", "full_name", "kk_number", "married"),
            Fieldset(_("Permohonan"), "kind", "police_report_number", "disaster_victim",
                     "replaces_suket"),
            Fieldset(_("Kontak (opsional)"), "phone", "email"),
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="hp-field",
                aria_hidden="true"),
        )
        self.helper.add_input(Submit("submit", _("Kirim permohonan")))


class VerifyForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("Dokumen yang sudah diperiksa"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(key, label) for key, label in rules.DOCUMENTS.items()],
    )
    biometrics_recorded = forms.BooleanField(label=_("Biometrik sudah direkam"),
                                             required=False)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind:
            required = rules.required_documents(kind)
            self.fields["documents"].choices = [
                (key, f"{rules.DOCUMENTS[key]}") for key in required
            ]
        self.helper = FormHelper()
        self.helper.form_tag = False


class SpoilForm(OnceOnlyForm):
    cause = forms.ChoiceField(label=_("Penyebab"), choices=MovementCause.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DefectForm(OnceOnlyForm):
    """A printed card found defective ("kartu rusak setelah dicetak")."""

    # No cause is chosen for the clerk: "gagal cetak" first in the list was recorded for
    # cards that had printed fine.
    cause = forms.ChoiceField(label=_("Penyebab"),
                              choices=[("", _("— pilih penyebab —")), *MovementCause.choices])
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False,
                           widget=forms.TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=500,
                             widget=forms.TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Cari nomor registrasi, NIK atau nama"), required=False,
                        max_length=200)


class StatusCheckForm(forms.Form):
    registration_number = forms.CharField(label=_("Nomor registrasi"), max_length=30,
                                          help_text=_("Contoh: 2172-201203-0001"))
    nik_last4 = forms.CharField(label=_("4 digit terakhir NIK"), max_length=4, min_length=4,
                                widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                              "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Cek status")))
