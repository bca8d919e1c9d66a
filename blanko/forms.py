from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Row, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
