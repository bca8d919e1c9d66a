"""Forms of the lender's answer to a rebalancing proposal (blanko.services.rebalancing);
they check the shape of what was typed, the services every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from blanko.loan_forms import NOTE_MAX_LENGTH, ActionForm, OnceOnlyForm


class AcceptForm(OnceOnlyForm):
    """The lender accepts: one click on the confirmation page, which shows what the
    loan does to its store, with the one-time key, so that a double click opens one
    loan (services.accept_rebalancing)."""

    submit_label = _("Setujui dan kirim pinjaman")


class DeclineForm(ActionForm):
    """The lender declines, with a reason (services.decline_rebalancing). No key: only a
    proposal that still waits can be declined, so a second click is refused."""

    reason = forms.CharField(label=_("Alasan penolakan"), max_length=NOTE_MAX_LENGTH,
                             help_text=_("Dibaca koordinator provinsi."),
                             widget=forms.Textarea(attrs={"rows": 2}))
    submit_label = _("Tolak usulan")
    submit_classes = "btn btn-outline-danger"
