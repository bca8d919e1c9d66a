"""Pages for citizens, without a login."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from blanko.views import apply_form_errors
from layanan import ratelimit, selectors, services
from layanan.forms import OnlineRequestForm, StatusCheckForm
from layanan.models import ServiceRequest

SESSION_KEY = "online_registration_number"


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "layanan/public_home.html")


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "layanan/rate_limited.html", status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def online_submit(request: HttpRequest) -> HttpResponse:
    form = OnlineRequestForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "online_submit"):
            return too_many(request)
        if form.is_valid():
            if form.cleaned_data["website"]:
                # Only a bot fills the hidden field: answer plainly, store nothing.
                form.add_error(None, _("Permohonan tidak dapat diproses. Silakan coba lagi."))
            else:
                try:
                    created = services.submit_request(
                        office=form.cleaned_data["office"],
                        channel=ServiceRequest.Channel.ONLINE, by=None,
                        **form.service_kwargs(),
                    )
                except ValidationError as error:
                    apply_form_errors(form, error)
                    if getattr(error, "code", None) == services.KEY_REUSED:
                        form.renew_key()
                else:
                    request.session[SESSION_KEY] = created.registration_number
                    return redirect("layanan:online_done")
    return render(request, "layanan/online_form.html", {"form": form})


@never_cache
def online_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SESSION_KEY)
    if not number:
        return redirect("layanan:online_submit")
    return render(request, "layanan/online_done.html", {"registration_number": number})


@never_cache
@require_http_methods(["GET", "POST"])
def status_check(request: HttpRequest) -> HttpResponse:
    form = StatusCheckForm(request.POST or None)
    result = None
    checked = False
    if request.method == "POST":
        if not ratelimit.allow(request, "status_check"):
            return too_many(request)
        if form.is_valid():
            checked = True
            result = selectors.request_status(
                registration_number=form.cleaned_data["registration_number"],
                nik_last4=form.cleaned_data["nik_last4"],
            )
    return render(request, "layanan/status_check.html",
                  {"form": form, "result": result, "checked": checked})


def public_stock(request: HttpRequest) -> HttpResponse:
    return render(request, "layanan/public_stock.html", {
        "offices": selectors.public_stock(), "now": timezone.now(),
    })
