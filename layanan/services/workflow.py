"""The steps every request service shares: numbers, the row lock, the status change.

A status change is an event row (who, when, from, to, note) written in the same
transaction; its log line is written once that transaction has committed, so a
rolled-back action logs nothing.
"""

from __future__ import annotations

import datetime
import functools
import logging
from typing import TYPE_CHECKING

from django.db import transaction

from blanko.models import Office
from layanan import rules
from layanan.models import Counter, RequestEvent, ServiceRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger("siblanko.layanan")

PROCESS = "layanan.process_request"


def next_number(*, office: Office, name: str, period: str) -> int:
    """The next value of a per-office sequence; the row lock keeps it gap-free."""
    counter, _created = Counter.objects.get_or_create(office=office, name=name, period=period)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def record_event(*, request: ServiceRequest, from_status: str, to_status: str,
                 by: AbstractUser | None, at: datetime.datetime,
                 note: str = "") -> RequestEvent:
    """The event row of a status change, and its log line once the change commits."""
    event = RequestEvent.objects.create(request=request, from_status=from_status,
                                        to_status=to_status, by=by, at=at, note=note[:500])
    transaction.on_commit(functools.partial(
        logger.info, "request id=%s reg=%s office=%s %s->%s user=%s", request.pk,
        request.registration_number, request.office.code, from_status or "-", to_status,
        getattr(by, "username", "warga"),
    ))
    return event


def locked_request(request: ServiceRequest) -> ServiceRequest:
    """Re-reads the request under a row lock.

    Only the request row is locked (`of=("self",)`): locking the joined office row too
    would block every insert that refers to the office (a delivery, a new request, an
    access-log row) and deadlock with a receipt that already holds the stock row.
    """
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related(
        "office"
    ).get(pk=request.pk)


def lock_request(request: ServiceRequest, *, action: rules.Action) -> ServiceRequest:
    """The request under a row lock, refused when its state does not allow `action`
    (`rules.state_refusal`, the rule the detail page shows)."""
    locked = locked_request(request)
    refusal = rules.state_refusal(action, locked)
    if refusal is not None:
        raise refusal
    return locked


def transition(*, request: ServiceRequest, to: str, by: AbstractUser | None,
               at: datetime.datetime, note: str = "", **fields) -> ServiceRequest:
    from_status = request.status
    request.status = to
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *fields])
    record_event(request=request, from_status=from_status, to_status=to, by=by, at=at,
                 note=note)
    return request
