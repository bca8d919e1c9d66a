"""Counter staff pages: registration, the print queue, search and request detail."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from blanko import access
from blanko.formatting import parse_digits
from blanko.forms import new_key
from blanko.selectors import office_balances
from blanko.views import apply_form_errors, scoped_office
from blanko.views.common import post_only
from layanan import advice, privacy, rules, selectors, services
from layanan.forms import (
    CounterRequestForm,
    DefectForm,
    ReasonForm,
    SearchForm,
    SpoilForm,
    VerifyForm,
)
from layanan.models import AccessLog, ServiceRequest
from layanan.nik import nik_warnings
from layanan.views import rows as table_rows

PAGE_SIZE = 25
Status = ServiceRequest.Status


@login_required
def register(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, "layanan.register_request")
    form = CounterRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.submit_request(
                office=office, channel=ServiceRequest.Channel.COUNTER, by=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            apply_form_errors(form, error)
            if getattr(error, "code", None) == services.KEY_REUSED:
                form.renew_key()
        else:
            messages.success(request, _("Permohonan %(reg)s terdaftar.")
                             % {"reg": created.registration_number})
            # What the NIK asks the operator to check (an unknown region code, a
            # century in doubt) is shown on the detail page this redirects to, beside
            # the NIK; not as a flash message, which Django keeps in a cookie that the
            # browser could read (parts of the NIK, the birth date).
            return redirect("layanan:detail", code=office.code, pk=created.pk)
    return render(request, "layanan/request_form.html", {"office": office, "form": form})


class _CountedPaginator(Paginator):
    """A Paginator given its count, read with other counts, instead of counting again."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count


@login_required
@never_cache  # names and the print forms' CSRF token: not for a shared browser's cache
def queue(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, "layanan.view_servicerequest")
    today = timezone.localdate()
    stock = office_balances(office=office).get("stock", 0)
    counts = selectors.queue_counts(office=office, today=today)
    page = _CountedPaginator(selectors.print_queue(office=office), PAGE_SIZE,
                             count=counts.verified).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(office=office, requests=page, stock=stock, today=today,
                                waiting=counts.printable_by_tier)
    return render(request, "layanan/queue_list.html", {
        "office": office, "page": page, "stock": stock, "today": today,
        "rows_html": table_rows.queue_rows(
            # A fresh key per row and render: a double click posts the same key twice.
            [(req, blocker, new_key()) for req, blocker in rows], office_code=office.code,
            can_process=access.has_permission(request.user, "layanan.process_request",
                                              office),
            csrf_token=get_token(request), page_number=page.number),
        # Advice only (layanan.advice): the reservation rule is applied as before.
        "quota": advice.daily_quota_for(office=office, stock=stock),
    })


# The last search of this browser session, kept server-side so that its results can be
# shown by a GET (Post/Redirect/Get): the browser's Back button then returns to them
# instead of asking to resubmit a form, and the NIK still never reaches a URL.
LAST_SEARCH = "layanan_last_search"
RESULTS = "hasil"


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def request_list(request: HttpRequest, code: str) -> HttpResponse:
    """The office's requests. A search may hold a NIK, so it is sent by POST (its pages
    too) and its results shown at `?hasil=1` from the session: a NIK never reaches a URL,
    the server's access log or the browser history. A search by a whole NIK is logged,
    as opening a request's detail is."""
    office = scoped_office(request, code, "layanan.view_servicerequest")
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            query = form.cleaned_data["q"]
            status = request.POST.get("status", "")
            if nik := selectors.nik_in_query(query):
                privacy.log_nik_search(office=office, nik=nik, by=request.user,
                                       request=_filtered(office, query, status).first())
            request.session[LAST_SEARCH] = {"office": office.code, "q": query,
                                            "status": status,
                                            "page": request.POST.get("page", "")}
            return redirect(f"{request.path}?{RESULTS}=1")
        query, status, page_number, searching = "", request.POST.get("status", ""), None, True
    else:
        form = SearchForm()
        saved = request.session.get(LAST_SEARCH) if RESULTS in request.GET else None
        if saved and saved.get("office") == office.code:
            query, status, page_number = saved["q"], saved["status"], saved["page"]
            searching = True
        else:
            query, status = "", request.GET.get("status", "")
            page_number, searching = request.GET.get("page"), False
    page = Paginator(_filtered(office, query, status), PAGE_SIZE).get_page(page_number)
    return render(request, "layanan/request_list.html", {
        "office": office, "form": form, "page": page, "searching": searching, "q": query,
        "rows_html": table_rows.request_list_rows(page, office_code=office.code),
        "search_fields": [("q", query), ("status", status)],
        "query": urlencode({"status": status}) if status and not searching else "",
        "status": status, "statuses": Status.choices,
        # An old bookmark or a typed ?q=: not searched, and said so.
        "url_query_ignored": "q" in request.GET,
    })


def _filtered(office, query: str, status: str):
    requests = selectors.search_requests(office=office, query=query)
    return requests.filter(status=status) if status in Status.values else requests


@login_required
@never_cache
def request_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = scoped_office(request, code, "layanan.view_personal_data")
    service_request = get_object_or_404(
        ServiceRequest.objects.select_related("office", "created_by"), office=office, pk=pk
    )
    # UU PDP: every look at the whole NIK is recorded, in the same request.
    AccessLog.objects.create(request=service_request, nik=service_request.nik, office=office,
                             user=request.user, action=AccessLog.Action.VIEW)
    stock = office_balances(office=office).get("stock", 0)
    blocker = selectors.request_blocker(request=service_request, stock=stock)
    return render(request, "layanan/request_detail.html", {
        "office": office, "req": service_request, "stock": stock, "blocker": blocker,
        "actions": rules.allowed_actions(service_request, blocker),
        "events": service_request.events.select_related("by"),
        "prints": service_request.prints.select_related("printed_by", "movement",
                                                        "defect_movement", "defective_by"),
        "sukets": service_request.sukets.all(),
        "nik_warnings": _nik_warnings(service_request),
        "can_process": access.has_permission(request.user, "layanan.process_request", office),
        "verify_form": VerifyForm(kind=service_request.kind),
        "spoil_form": SpoilForm(),
        "defect_form": DefectForm(),
        "print_key": new_key(),
        "reason_form": ReasonForm(),
    })


def _nik_warnings(service_request: ServiceRequest) -> tuple[str, ...]:
    """`parse_nik`'s warnings on the request's NIK, read as on its submission day."""
    return nik_warnings(service_request.nik,
                        today=timezone.localdate(service_request.submitted_at))


# Each action calls its service, which refuses what `rules.allowed_actions` does not
# allow (the same rules, checked under the row lock), and returns the success message.
# The page cannot refuse first: a double-clicked print must get the first print back.


def _verify(request: HttpRequest, service_request: ServiceRequest) -> str:
    form = VerifyForm(request.POST, kind=service_request.kind)
    if not form.is_valid():
        raise ValidationError(_("Periksa isian verifikasi."))
    services.verify_request(
        request=service_request, by=request.user, note=form.cleaned_data["note"],
        documents=dict.fromkeys(form.cleaned_data["documents"], True),
        biometrics_recorded=form.cleaned_data["biometrics_recorded"],
    )
    return _("Permohonan terverifikasi dan siap cetak.")


def _print(request: HttpRequest, service_request: ServiceRequest) -> str:
    services.print_card(request=service_request, by=request.user,
                        idempotency_key=request.POST.get("key") or None)
    # The registration number, not the name: a flash message travels in a cookie.
    return _("KTP-el %(reg)s dicetak; satu blanko keluar dari stok.") % {
        "reg": service_request.registration_number}


def _spoil(request: HttpRequest, service_request: ServiceRequest) -> str:
    form = SpoilForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Pilih penyebab kerusakan."))
    services.record_spoiled_print(request=service_request, by=request.user,
                                  cause=form.cleaned_data["cause"],
                                  idempotency_key=form.cleaned_data["key"])
    return _("Cetak rusak dicatat; blanko masuk daftar rusak. Silakan cetak ulang.")


def _defect(request: HttpRequest, service_request: ServiceRequest) -> str:
    form = DefectForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Pilih penyebab kerusakan; catatan paling banyak 500 "
                                "karakter."))
    services.record_defective_card(request=service_request, by=request.user,
                                   cause=form.cleaned_data["cause"],
                                   note=form.cleaned_data["note"],
                                   idempotency_key=form.cleaned_data["key"])
    return _("Kartu rusak dicatat; blanko masuk daftar rusak dan permohonan kembali siap "
             "cetak ulang.")


def _deliver(request: HttpRequest, service_request: ServiceRequest) -> str:
    services.deliver_request(request=service_request, by=request.user)
    return _("KTP-el telah diserahkan.")


def _reject(request: HttpRequest, service_request: ServiceRequest) -> str:
    services.reject_request(request=service_request, by=request.user,
                            reason=request.POST.get("reason", ""))
    return _("Permohonan ditolak.")


def _cancel(request: HttpRequest, service_request: ServiceRequest) -> str:
    services.cancel_request(request=service_request, by=request.user,
                            reason=request.POST.get("reason", ""))
    return _("Permohonan dibatalkan.")


def _suket(request: HttpRequest, service_request: ServiceRequest) -> str:
    suket = services.issue_suket(request=service_request, by=request.user)
    return _("Suket %(number)s diterbitkan.") % {"number": suket.number}


ACTIONS: dict[rules.Action, Callable[[HttpRequest, ServiceRequest], str]] = {
    rules.Action.VERIFY: _verify, rules.Action.PRINT: _print, rules.Action.SPOIL: _spoil,
    rules.Action.SUKET: _suket, rules.Action.DELIVER: _deliver, rules.Action.DEFECT: _defect,
    rules.Action.REJECT: _reject, rules.Action.CANCEL: _cancel,
}


@login_required
@post_only("layanan:detail", "code", "pk")
def request_action(request: HttpRequest, code: str, pk: int, action: str) -> HttpResponse:
    office = scoped_office(request, code, "layanan.process_request")
    service_request = get_object_or_404(ServiceRequest.objects.select_related("office"),
                                        office=office, pk=pk)
    run = ACTIONS.get(action)
    if run is None:
        raise PermissionDenied
    try:
        message = run(request, service_request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, message)
    target = request.POST.get("next")
    if target == "queue":
        queue_url = reverse("layanan:queue", kwargs={"code": office.code})
        page = parse_digits(request.POST.get("page"))
        return redirect(f"{queue_url}?page={page}" if page and page > 1 else queue_url)
    return redirect("layanan:detail", code=office.code, pk=service_request.pk)
