"""UU PDP No. 27/2022: who saw which NIK, and everything held about one NIK."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from blanko.access import ensure_permission
from blanko.models import Office
from layanan.models import AccessLog, ServiceRequest
from layanan.nik import normalize_number


def access_logs(*, office: Office, nik: str = "") -> QuerySet[AccessLog]:
    logs = AccessLog.objects.filter(office=office).select_related("user", "request")
    if nik:
        logs = logs.filter(nik=nik)
    return logs


def log_nik_search(*, office: Office, nik: str, by, request: ServiceRequest | None = None
                   ) -> AccessLog:
    """A search by a whole NIK shows whether, and where, that person has requests: logged."""
    return AccessLog.objects.create(nik=nik, office=office, user=by, request=request,
                                    action=AccessLog.Action.SEARCH)


def _iso(value) -> str | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def export_subject(*, office: Office, nik: str, by) -> dict:
    """Everything the office holds about one NIK, as JSON-ready data. The export is logged."""
    ensure_permission(by, "layanan.export_personal_data", office)
    nik = normalize_number(nik, label="NIK")
    requests = (
        ServiceRequest.objects.filter(office=office, nik=nik)
        .prefetch_related("events__by", "prints__movement", "sukets")
        .order_by("submitted_at")
    )
    fields = ["registration_number", "nik", "kk_number", "full_name", "birth_date", "sex",
              "married", "phone", "email", "kind", "disaster_victim", "replaces_suket",
              "police_report_number", "channel", "status", "priority_tier", "printable_from",
              "documents", "biometrics_recorded", "rejection_reason", "submitted_at",
              "verified_at", "printed_at", "delivered_at", "closed_at"]
    data = {
        "nik": nik,
        "office": {"code": office.code, "name": office.name},
        "exported_at": _iso(timezone.now()),
        "exported_by": by.get_username(),
        "requests": [
            {
                **{name: _iso(getattr(request, name)) for name in fields},
                "events": [
                    {"at": _iso(e.at), "from": e.from_status, "to": e.to_status,
                     "by": e.by.get_username() if e.by else None, "note": e.note}
                    for e in request.events.all()
                ],
                "prints": [
                    {"at": _iso(p.printed_at), "outcome": p.outcome,
                     "movement": p.movement_id, "cause": p.movement.cause}
                    for p in request.prints.all()
                ],
                "sukets": [
                    {"number": s.number, "issued_on": _iso(s.issued_on),
                     "valid_until": _iso(s.valid_until), "replaced_at": _iso(s.replaced_at)}
                    for s in request.sukets.all()
                ],
            }
            for request in requests
        ],
        "access_log": [
            {"at": _iso(log.at), "user": log.user.get_username(), "action": log.action}
            for log in AccessLog.objects.filter(office=office, nik=nik).select_related("user")
        ],
    }
    AccessLog.objects.create(nik=nik, office=office, user=by, action=AccessLog.Action.EXPORT,
                             request=requests[0] if requests else None)
    return data
