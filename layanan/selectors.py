"""Reads of service requests: the print queue, search, status and public figures."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from blanko.models import Office
from blanko.selectors import offices_with_store, stock_on_hand
from layanan import rules
from layanan.models import ServiceRequest

Status = ServiceRequest.Status


def printable_q(*, today: datetime.date, status_field: str | None = "status") -> Q:
    """Verified requests whose card may be printed on `today` (the age rule met).

    The one definition of "waiting to be printed", for the queue, the reservation rule,
    the public page and the forecast (`rules.printable_on` is the same test in Python).
    `status_field` names what holds the status: a query of past dates annotates each
    request with its status on that day; None leaves the status to a query that reads
    verified requests only (so that a partial index of them answers alone).
    """
    age = Q(printable_from__isnull=True) | Q(printable_from__lte=today)
    return age if status_field is None else Q(**{status_field: Status.VERIFIED}) & age


def print_queue(*, office: Office) -> QuerySet[ServiceRequest]:
    """Verified requests in serving order: priority tier, then oldest submission."""
    return ServiceRequest.objects.filter(office=office, status=Status.VERIFIED).order_by(
        "priority_tier", "submitted_at", "id"
    )


def waiting_by_tier(*, office: Office, today: datetime.date) -> dict[int, int]:
    """How many printable verified requests wait in each tier, in one query."""
    rows = (
        ServiceRequest.objects.filter(printable_q(today=today), office=office)
        .values_list("priority_tier")
        .annotate(n=Count("*"))
    )
    return dict(rows)


@dataclass(frozen=True)
class QueueCounts:
    """The print queue's length (every verified request, printable yet or not) and the
    printable ones in each tier (`waiting_by_tier`)."""

    verified: int
    printable_by_tier: dict[int, int]


def queue_counts(*, office: Office, today: datetime.date) -> QueueCounts:
    """The queue page's counts in one query: its length for the pages, and per tier what
    the reservation rule weighs."""
    rows = (
        ServiceRequest.objects.filter(office=office, status=Status.VERIFIED)
        .values_list("priority_tier")
        # A column of the partial index, never null, so that the index alone answers.
        .annotate(n=Count("priority_tier"), printable=Count(
            "priority_tier", filter=printable_q(today=today, status_field=None)))
        .order_by()
    )
    return QueueCounts(verified=sum(n for _, n, _ in rows),
                       printable_by_tier={tier: p for tier, _, p in rows if p})


def higher_tier_waiting(*, request: ServiceRequest, today: datetime.date) -> int:
    return (
        ServiceRequest.objects.filter(printable_q(today=today), office_id=request.office_id,
                                      priority_tier__lt=request.priority_tier)
        .exclude(pk=request.pk)
        .count()
    )


def request_blocker(*, request: ServiceRequest, today: datetime.date | None = None,
                    stock: int | None = None) -> rules.Blocker | None:
    """Why this request cannot take a blank now (`rules.print_blocker`), or None: None
    too for a request that is not verified, which does not wait for a blank.

    `stock` is the store's count when the caller holds it already: a service passes
    the count it read under `blanko.services.lock_stock`, so that nobody draws between
    the check and its own draw. Without it, the count is read here.
    """
    if request.status != Status.VERIFIED:
        return None
    today = today or timezone.localdate()
    if stock is None:
        stock = stock_on_hand(office=request.office)
    return rules.print_blocker(
        request=request, stock=stock, today=today,
        higher_waiting=higher_tier_waiting(request=request, today=today),
    )


def queue_rows(*, office: Office, requests, stock: int, today: datetime.date,
               waiting: dict[int, int] | None = None):
    """Pairs each request of a queue page with what blocks it, without extra queries:
    `request_blocker` for a whole page, the waiting counts read once (`waiting`, as
    `waiting_by_tier` gives them, when the caller has them)."""
    if waiting is None:
        waiting = waiting_by_tier(office=office, today=today)
    rows = []
    for request in requests:
        higher = sum(n for tier, n in waiting.items() if tier < request.priority_tier)
        rows.append((request, rules.print_blocker(request=request, stock=stock,
                                                  higher_waiting=higher, today=today)))
    return rows


_REG = re.compile(r"^\d{4}-\d{6}-\d{1,4}$")


def nik_in_query(query: str) -> str:
    """The whole NIK a search text stands for (spaces and dots allowed), or ""."""
    digits = re.sub(r"[\s.]", "", query or "")
    return digits if digits.isascii() and digits.isdigit() and len(digits) == 16 else ""


def search_requests(*, office: Office, query: str) -> QuerySet[ServiceRequest]:
    """By registration number, by whole NIK, or by part of the name."""
    requests = ServiceRequest.objects.filter(office=office).order_by("-submitted_at", "-id")
    query = " ".join((query or "").split())
    if not query:
        return requests
    if _REG.match(query):
        return requests.filter(registration_number=query)
    if nik := nik_in_query(query):
        return requests.filter(nik=nik)
    requests = requests.filter(full_name__icontains=query)
    if _ASCII_TRIGRAM.search(query) and _office_name_keys():
        # Served by the index of the office's own trigrams (migration 0010): only rows
        # of this office holding every trigram of the text are read; ILIKE decides.
        requests = requests.filter(RawSQL(
            "request_name_keys(office_id, full_name) @> request_name_pattern_keys(%s, %s)",
            (office.pk, query), output_field=BooleanField()))
    return requests


# Three letters or digits in a row give the pattern at least one trigram in every
# database locale; shorter or other text is matched by ILIKE over the office's rows.
_ASCII_TRIGRAM = re.compile(r"[A-Za-z0-9]{3}")


def _office_name_keys() -> bool:
    """Whether this database has the office name-key functions of migration 0010."""
    if connection.vendor != "postgresql":
        return False
    return _has_name_keys(connection.settings_dict["NAME"])


@functools.lru_cache(maxsize=8)
def _has_name_keys(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('request_name_pattern_keys(bigint, text)') "
                       "IS NOT NULL")
        return bool(cursor.fetchone()[0])


def request_status(*, registration_number: str, nik_last4: str) -> ServiceRequest | None:
    """The public status check. Any wrong combination gives None, the same answer."""
    registration_number = (registration_number or "").strip()
    nik_last4 = (nik_last4 or "").strip()
    if not (len(nik_last4) == 4 and nik_last4.isascii() and nik_last4.isdigit()):
        return None
    return ServiceRequest.objects.filter(
        registration_number=registration_number, nik__endswith=nik_last4
    ).first()


def public_stock(*, today: datetime.date | None = None) -> QuerySet[Office]:
    """Each office's stock on hand and printable queue length, in one query.

    Each figure is a correlated subquery per office, answered from an index: the
    store's count and the time of the last change (`blanko.selectors.offices_with_store`),
    and the count of the partial index of verified requests. (A join over the balance
    rows ran the queue count once per balance row instead of once per office.)
    """
    today = today or timezone.localdate()
    queue = (
        ServiceRequest.objects.filter(printable_q(today=today), office=OuterRef("pk"))
        .order_by().values("office").annotate(n=Count("*")).values("n")
    )
    return offices_with_store(offices=Office.objects.all()).annotate(
        queue_length=Coalesce(Subquery(queue), Value(0)),
    ).order_by("code")
