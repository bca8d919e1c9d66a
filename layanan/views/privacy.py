"""Supervisor pages for personal-data accountability."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from blanko.views import scoped_office
from blanko.views.common import post_only
from layanan import privacy
from layanan.nik import normalize_number

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def access_log(request: HttpRequest, code: str) -> HttpResponse:
    """The office's access log. The NIK filter is sent by POST (its pages too), so the NIK
    never reaches a URL; filtering by a NIK is itself logged."""
    office = scoped_office(request, code, "layanan.view_access_log")
    filtering = request.method == "POST"
    data = request.POST if filtering else request.GET
    nik = request.POST.get("nik", "") if filtering else ""
    nik_error = ""
    if nik:
        try:
            nik = normalize_number(nik, label="NIK")
        except ValidationError as error:
            nik_error, nik = error.messages[0], ""
    if nik:
        # Logged before the rows are counted and read: logged between the two, the new
        # row pushed the oldest one off the page and the count was one short.
        privacy.log_nik_search(office=office, nik=nik, by=request.user)
    page = Paginator(privacy.access_logs(office=office, nik=nik), PAGE_SIZE).get_page(
        data.get("page")
    )
    return render(request, "layanan/accesslog_list.html", {
        "office": office, "page": page, "nik": nik, "nik_error": nik_error,
        "filtering": filtering, "search_fields": [("nik", nik)],
        "url_query_ignored": "nik" in request.GET,
    })


@login_required
@post_only("layanan:access_log", "code")
def subject_export(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, "layanan.export_personal_data")
    try:
        data = privacy.export_subject(office=office, nik=request.POST.get("nik", ""),
                                      by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("layanan:access_log", code=office.code)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="data-subjek-{office.code}-{data["nik"][-4:]}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
