"""Helpers for the service-request tests: NIKs, requests in a given state, ledger reads."""

from __future__ import annotations

import datetime
import itertools

from django.core.exceptions import ValidationError

from blanko.models import Balance, Location, Movement
from layanan import rules, services
from layanan.models import AccessLog, CardPrint, Counter, RequestEvent, ServiceRequest, Suket
from tests.helpers import raises_without_change, today

Kind = ServiceRequest.Kind
Channel = ServiceRequest.Channel

_serials = itertools.count(1)


def born_years_ago(years: int, *, days: int = 0) -> datetime.date:
    """The birth date of someone who turns `years` today, shifted `days` earlier."""
    return rules.add_years(today(), -years) - datetime.timedelta(days=days)


def make_nik(born: datetime.date, *, female: bool = False, region: str = "217201",
             serial: int | None = None) -> str:
    """A NIK that encodes `born` and the sex; a fresh serial unless one is given."""
    serial = next(_serials) % 9999 + 1 if serial is None else serial
    day = born.day + (40 if female else 0)
    return f"{region}{day:02d}{born:%m%y}{serial:04d}"


def adult_nik(**kwargs) -> str:
    return make_nik(born_years_ago(30, days=40), **kwargs)


def submit(office, by=None, *, kind: str = Kind.DAMAGED, nik: str | None = None,
           full_name: str = "Budi Santoso", channel: str | None = None, **kwargs
           ) -> ServiceRequest:
    """Registers a request: at the counter when `by` is given, online otherwise."""
    if channel is None:
        channel = Channel.COUNTER if by is not None else Channel.ONLINE
    if kind == Kind.LOST:
        kwargs.setdefault("police_report_number", "STPL/12/XI/2026/Polresta TPI")
    return services.submit_request(
        office=office, nik=adult_nik() if nik is None else nik, full_name=full_name, kind=kind,
        channel=channel, by=by, **kwargs,
    )


def verify(request: ServiceRequest, by, *, biometrics: bool = True, **kwargs) -> ServiceRequest:
    return services.verify_request(
        request=request, by=by, biometrics_recorded=biometrics,
        documents=dict.fromkeys(rules.required_documents(request.kind), True), **kwargs,
    )


def verified(office, by, **kwargs) -> ServiceRequest:
    """A request submitted at the counter and verified: ready to print."""
    biometrics = kwargs.pop("biometrics", True)
    return verify(submit(office, by, **kwargs), by, biometrics=biometrics)


def stock_of(office) -> int:
    return Balance.objects.get(location__office=office, location__kind=Location.Kind.STOCK
                               ).quantity


def spoiled_of(office) -> int:
    return Balance.objects.get(location__office=office,
                               location__kind=Location.Kind.SPOILED).quantity


def snapshot() -> dict:
    """Every row a service-request write could add or change."""
    return {
        "requests": list(ServiceRequest.objects.order_by("pk").values_list("pk", "status")),
        "events": RequestEvent.objects.count(),
        "prints": CardPrint.objects.count(),
        "sukets": list(Suket.objects.order_by("pk").values_list("pk", "replaced_at")),
        "movements": Movement.objects.count(),
        "balances": dict(Balance.objects.values_list("location_id", "quantity")),
        "counters": list(Counter.objects.order_by("pk").values_list("pk", "value")),
        "access_logs": AccessLog.objects.count(),
    }


def nothing_written(exception: type[Exception] = ValidationError, match: str | None = None):
    """Expects `exception` (message matching `match`) and no row added or changed."""
    return raises_without_change(snapshot, exception, match)
