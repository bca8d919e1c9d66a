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
from django.views.decorators.http import require_POST

from blanko.views import scoped_office
from layanan import privacy
from layanan.nik import normalize_number

PAGE_SIZE = 50


@login_required
def access_log(request: HttpRequest, code: str) -> HttpResponse:
    office = scoped_office(request, code, "layanan.view_access_log")
    nik = request.GET.get("nik", "")
    nik_error = ""
    if nik:
        try:
            nik = normalize_number(nik, label="NIK")
        except ValidationError as error:
            nik_error, nik = error.messages[0], ""
    page = Paginator(privacy.access_logs(office=office, nik=nik), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "layanan/accesslog_list.html", {
        "office": office, "page": page, "nik": nik, "nik_error": nik_error,
        "query": f"nik={nik}" if nik else "",
    })


@login_required
@require_POST
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
