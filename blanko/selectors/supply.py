"""Reads of the supply cycle: requests for blanks, the central store, lead times."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from blanko.models import (
    CENTRAL_OFFICE_CODE,
    Balance,
    BlankRequest,
    BlankRequestEvent,
    Location,
    Movement,
    Office,
)

Kind = Location.Kind
Reason = Movement.Reason
Status = BlankRequest.Status

# Lead times are measured over the requests of the last year.
LEAD_TIME_WINDOW_DAYS = 365


def blank_requests(*, offices: QuerySet[Office] | Iterable[Office] | None = None,
                   statuses: Collection[str] | None = None) -> QuerySet[BlankRequest]:
    """Requests for blanks, newest first, with their office and author (one query)."""
    requests = BlankRequest.objects.select_related("office", "created_by").order_by(
        "-submitted_on", "-id")
    if offices is not None:
        requests = requests.filter(office__in=offices)
    if statuses is not None:
        requests = requests.filter(status__in=list(statuses))
    return requests


def open_blank_requests(*, office: Office, brief: bool = False) -> list[BlankRequest]:
    """The office's requests still waiting for a forward, an allocation, a dispatch or a
    receipt, newest first (one query). `brief`: their number and submission date only,
    without their office and author (the print queue's quota reads them on every load)."""
    requests = blank_requests(offices=[office], statuses=BlankRequest.OPEN_STATUSES)
    if brief:
        requests = requests.select_related(None).only("number", "submitted_on")
    return list(requests)


@dataclass(frozen=True)
class OpenRequest:
    """An office's newest request for blanks still open: its number and the day it was
    made (whether the office asked in time)."""

    number: str
    submitted_on: datetime.date


def newest_open_requests(*, office_ids: Collection[int], as_of: datetime.date,
                         today: datetime.date) -> dict[int, OpenRequest]:
    """Each office's newest request for blanks still open at the end of
    `as_of` (BlankRequest.OPEN_STATUSES); an office without one has no entry. One query,
    whatever the number of offices.

    Today from the status column. For a past day from each request's last step dated up
    to then, so that a request received or refused since still counts on the days it was
    waiting (the dashboard of 1 August 2020 knows of Tanjungpinang's letter of 3 July).
    """
    ids = list(office_ids)
    if not ids:
        return {}
    requests = BlankRequest.objects.filter(office_id__in=ids)
    if as_of >= today:
        requests = requests.filter(status__in=BlankRequest.OPEN_STATUSES)
    else:
        last_step = (BlankRequestEvent.objects
                     .filter(blank_request=OuterRef("pk"), at__lt=_day_end(as_of))
                     .order_by("-at", "-id").values("to_status")[:1])
        requests = (requests.filter(submitted_on__lte=as_of)
                    .annotate(state=Subquery(last_step))
                    .filter(state__in=BlankRequest.OPEN_STATUSES))
    newest: dict[int, OpenRequest] = {}
    for office_id, number, submitted_on in (
            requests.order_by("office_id", "-submitted_on", "-id")
            .values_list("office_id", "number", "submitted_on")):
        newest.setdefault(office_id, OpenRequest(number, submitted_on))
    return newest


def central_stock() -> dict[str, int]:
    """The central store now: its stock, what is allocated and not yet dispatched, the
    free stock (what an allocation may still promise) and what is in transit to the
    offices. Two queries."""
    counts = dict(
        Balance.objects.filter(location__office__code=CENTRAL_OFFICE_CODE,
                               location__kind__in=[Kind.STOCK, Kind.TRANSIT])
        .values_list("location__kind", "quantity"))
    reserved = BlankRequest.objects.filter(status__in=BlankRequest.ALLOCATED_STATUSES).aggregate(
        total=Sum(F("allocated_quantity") - F("dispatched_quantity")))["total"] or 0
    stock = counts.get(Kind.STOCK, 0)
    return {"stock": stock, "allocated_undispatched": reserved,
            "free": max(stock - reserved, 0), "in_transit": counts.get(Kind.TRANSIT, 0)}


@dataclass(frozen=True)
class LeadTime:
    """How long Ditjen takes for an office, and where the figure comes from."""

    days: float
    source: str  # "measured" (its own requests), "province" or "default" (its field)
    requests: int  # how many requests the median is taken over (0 for "default")


def lead_times(*, offices: Collection[Office], as_of: datetime.date | None = None
               ) -> dict[int, LeadTime]:
    """Each office's lead time on `as_of` (today by default): the median number of days
    from a request to its first receipt, over its requests submitted in the 365 days
    ending `as_of` and first received by then; the median over the requests of the
    offices of its province when it has none; else its lead-time field.

    One query, whatever the number of offices.
    """
    offices = list(offices)
    as_of = as_of or timezone.localdate()
    provinces = {office.province_code for office in offices}
    rows = (
        BlankRequest.objects.annotate(
            province=Substr("office__code", 1, 2),
            first_receipt=Min("movements__occurred_on",
                              filter=Q(movements__reason=Reason.RECEIPT_DITJEN)))
        .filter(province__in=provinces, first_receipt__lte=as_of,
                submitted_on__gt=as_of - datetime.timedelta(days=LEAD_TIME_WINDOW_DAYS),
                submitted_on__lte=as_of)
        .values_list("office_id", "province", "submitted_on", "first_receipt")
    ) if offices else []
    by_office: dict[int, list[int]] = defaultdict(list)
    by_province: dict[str, list[int]] = defaultdict(list)
    for office_id, province, submitted, received in rows:
        by_office[office_id].append((received - submitted).days)
        by_province[province].append((received - submitted).days)
    found = {}
    for office in offices:
        own, province = by_office.get(office.pk), by_province.get(office.province_code)
        if own:
            found[office.pk] = LeadTime(float(statistics.median(own)), "measured", len(own))
        elif province and not office.is_central:
            found[office.pk] = LeadTime(float(statistics.median(province)), "province",
                                        len(province))
        else:
            found[office.pk] = LeadTime(float(office.lead_time_days), "default", 0)
    return found


def lead_time_days(*, office: Office, today: datetime.date | None = None) -> float:
    """The office's lead time in days (see lead_times): measured, its province's, or its
    lead-time field. One query."""
    return lead_times(offices=[office], as_of=today)[office.pk].days


def _day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day`, in the business time zone."""
    return timezone.make_aware(datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time()))


def incoming_from_ditjen(*, office_ids: Collection[int], as_of: datetime.date,
                         today: datetime.date) -> dict[int, int]:
    """Blanks each office will still get from the central store, at the end of `as_of`:
    allocated and not yet dispatched, plus dispatched and not yet received (that is,
    allocated and not yet received). Every office of `office_ids` has an entry.

    Today from the requests' rows (one query). For a past day rebuilt from the
    allocation events dated up to then and the receipts dated up to then (two queries).
    """
    incoming = dict.fromkeys(office_ids, 0)
    if not incoming:
        return incoming
    if as_of >= today:
        rows = (BlankRequest.objects.filter(office_id__in=list(incoming),
                                            status__in=BlankRequest.ALLOCATED_STATUSES)
                .values("office_id")
                .annotate(total=Sum(F("allocated_quantity") - F("received_quantity")))
                .values_list("office_id", "total"))
        incoming.update(rows)
        return incoming
    allocations = {
        pk: (office_id, quantity or 0) for pk, office_id, quantity in
        BlankRequestEvent.objects.filter(
            blank_request__office_id__in=list(incoming), from_status=Status.FORWARDED,
            to_status=Status.ALLOCATED, at__lt=_day_end(as_of))
        .values_list("blank_request_id", "blank_request__office_id", "quantity")}
    if not allocations:
        return incoming
    received = dict(
        Movement.objects.filter(blank_request_id__in=list(allocations),
                                reason=Reason.RECEIPT_DITJEN, occurred_on__lte=as_of)
        .values("blank_request_id").annotate(total=Sum("quantity"))
        .values_list("blank_request_id", "total"))
    for pk, (office_id, allocated) in allocations.items():
        incoming[office_id] += max(allocated - received.get(pk, 0), 0)
    return incoming
