"""The one way a movement is written, and the date rules of the books.

`post_movement` validates (blanko.services.checks), answers a replayed key with
its earlier movement, prepares the INSERT (blanko.services.sql), then in one
transaction (`_write`) takes the balance row locks in location-id order (so that
two postings touching the same pair of locations cannot deadlock), moves the
counts with a conditional UPDATE ... RETURNING, re-checks the closed months and
inserts the movement. On PostgreSQL a posting that moves a single balance (a
draw, a receipt) does the UPDATE and the INSERT in one statement. Its log line
is written on commit.
"""

from __future__ import annotations

import datetime
import functools
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blanko.exceptions import InsufficientStock
from blanko.formatting import number
from blanko.models import Balance, BlankRequest, Loan, Location, MonthClose, Movement, Office
from blanko.services.checks import clean_note, find_idempotent, fingerprint, validate_quantity
from blanko.services.sql import PreparedInsert

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger("siblanko.ledger")


def today() -> datetime.date:
    return timezone.localdate()


# How far ahead of this server another server's clock may run. Within this margin of
# a month's end, a posting dated in that month checks the closed months again.
CLOCK_MARGIN = datetime.timedelta(minutes=10)


def soon() -> datetime.date:
    """The local date CLOCK_MARGIN from now."""
    return timezone.localdate(timezone.now() + CLOCK_MARGIN)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# e-KTP began on 1 January 2011: no movement of its blanks is dated earlier.
EKTP_START = datetime.date(2011, 1, 1)


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


def period_lock_date(*, office: Office) -> datetime.date | None:
    """The last day of the office's latest closed month, or None when none is closed."""
    latest = MonthClose.objects.filter(office=office).order_by("-month").values_list(
        "month", flat=True).first()
    return month_end(latest) if latest else None


def is_locked(*, office: Office, day: datetime.date) -> bool:
    """Whether `day` is on or before the office's period lock date (one indexed query)."""
    return MonthClose.objects.filter(office=office, month__gte=month_start(day)).exists()


def validate_business_date(
    occurred_on: datetime.date | None, *, offices: list[Office], check_closed: bool = True
) -> datetime.date:
    """The date of a movement (today when None), or a ValidationError on `occurred_on`.

    The one home of the date rules: not in the future, not before EKTP_START, and,
    unless check_closed is False (the caller checks again under the balance locks),
    after the period lock date of every office involved: closing a month locks every
    date up to its end, as a lock date does in accounting.
    """
    day = occurred_on or today()
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationError({"occurred_on": _("Tanggal tidak valid.")}, code="invalid")
    if day > today():
        raise ValidationError(
            {"occurred_on": _("Tanggal transaksi tidak boleh di masa depan.")}, code="future"
        )
    if day < EKTP_START:
        raise ValidationError(
            {"occurred_on": _("Tanggal transaksi tidak boleh sebelum %(start)s, awal KTP-el.")
             % {"start": date_format(EKTP_START, "j F Y")}},
            code="before_ektp",
        )
    for office in offices if check_closed else ():
        if is_locked(office=office, day=day):
            lock_date = period_lock_date(office=office)
            raise ValidationError(
                {"occurred_on": _(
                    "Bulan sampai dengan %(month)s sudah ditutup untuk %(office)s: pembukuan "
                    "terkunci sampai %(lock_date)s, transaksi tidak dapat dicatat pada "
                    "%(day)s."
                ) % {"month": f"{lock_date:%m/%Y}", "office": office.name,
                     "lock_date": f"{lock_date:%d/%m/%Y}", "day": f"{day:%d/%m/%Y}"}},
                code="month_closed",
            )
    return day




def _apply(location: Location, delta: int) -> int:
    """Adds delta to a balance row and returns the new count.

    The WHERE clause refuses to go below zero, so a draw against an empty
    store fails cleanly instead of tripping the CHECK constraint; the row lock
    taken by UPDATE is held until the transaction ends.
    """
    table = Balance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET quantity = quantity + %s, updated_at = %s "  # noqa: S608
            "WHERE location_id = %s AND quantity + %s >= 0 RETURNING quantity",
            [delta, timezone.now(), location.pk, delta],
        )
        row = cursor.fetchone()
    if row is None:
        raise _insufficient(location, delta)
    return row[0]


def _insufficient(location: Location, delta: int) -> InsufficientStock:
    available = Balance.objects.filter(location=location).values_list("quantity", flat=True)
    have = next(iter(available), 0)
    return InsufficientStock(
        _("Stok di %(location)s tidak mencukupi: tersedia %(available)s, "
          "dibutuhkan %(needed)s.")
        % {"location": location.name, "available": number(have), "needed": number(-delta)},
        available=have,
    )


def _delta(location: Location, *, from_location: Location, quantity: int) -> int:
    return -quantity if location is from_location else quantity


def _recheck_closed_months(day: datetime.date, offices: list[Office]) -> None:
    """The period lock date, re-checked under the balance locks, before the commit:
    close_month takes the same locks, so a month cannot be closed between this check
    and the insert (a refusal rolls the insert back).

    Skipped for a day in the current month (as of CLOCK_MARGIN from now): such a day
    is locked only by a close of its own month or a later one. close_month refuses a
    month that has not ended, and any close that committed before these locks were
    ours validated against a "today" no later than this one (on another server too,
    as long as its clock is less than CLOCK_MARGIN ahead), so no such close exists
    yet. Skipping the query keeps the lock short for the everyday case, a draw dated
    today.
    """
    if month_start(day) != month_start(soon()):
        validate_business_date(day, offices=offices)


def _refuse_past_shortfall(location: Location, *, day: datetime.date, after: int) -> None:
    """Refuses a back-dated outflow that would have left `location` below zero at the
    end of some day from `day` on, though its count today (`after`) is fine.

    Runs under the balance lock, after the count moved. The count at the end of a day
    is today's less every movement dated after it, so the lowest of them is found from
    the net movement of each later day (one query, only for a posting dated before
    today: an outflow dated today has no later days to break).
    """
    if day >= today():
        return
    net = (Movement.objects.filter(Q(from_location=location) | Q(to_location=location),
                                   occurred_on__gt=day)
           .values("occurred_on")
           .annotate(net=Coalesce(Sum("quantity", filter=Q(to_location=location)), 0)
                     - Coalesce(Sum("quantity", filter=Q(from_location=location)), 0))
           .order_by("-occurred_on")
           .values_list("occurred_on", "net"))
    lowest, lowest_on, later = after, today(), 0
    # Walking back from today: the end of the day before each later day's movements.
    for occurred_on, moved in net:
        later += moved
        if after - later < lowest:
            lowest, lowest_on = after - later, occurred_on - datetime.timedelta(days=1)
    if lowest < 0:
        raise ValidationError(
            {"occurred_on": _(
                "%(location)s akan minus %(short)s blanko pada %(on)s bila transaksi ini "
                "dicatat pada %(day)s: blanko yang ada sekarang baru masuk sesudah tanggal "
                "itu. Pakai tanggal yang lebih baru.")
             % {"day": f"{day:%d/%m/%Y}", "location": location.name,
                "short": number(-lowest), "on": f"{lowest_on:%d/%m/%Y}"}},
            code="past_shortfall",
        )


def _write(insert: PreparedInsert, *, from_location: Location, to_location: Location,
           quantity: int, day: datetime.date, offices: list[Office]) -> Movement:
    """Moves the balances in location-id order and inserts the movement, atomically."""
    balanced = sorted((loc for loc in (from_location, to_location) if loc.has_balance),
                      key=lambda loc: loc.pk)
    with transaction.atomic():
        if len(balanced) == 1 and connection.vendor == "postgresql":
            # A draw (store to ISSUED), a receipt, ...: one statement.
            [location] = balanced
            delta = _delta(location, from_location=from_location, quantity=quantity)
            movement = insert.execute_with_balance(
                location=location, delta=delta,
                after="from_balance_after" if location is from_location
                else "to_balance_after")
            if movement is None:
                raise _insufficient(location, delta)
            _recheck_closed_months(day, offices)
            if location is from_location:
                _refuse_past_shortfall(location, day=day, after=movement.from_balance_after)
            return movement
        after = {location.pk: _apply(location, _delta(location, from_location=from_location,
                                                      quantity=quantity))
                 for location in balanced}
        _recheck_closed_months(day, offices)
        if from_location.pk in after:
            _refuse_past_shortfall(from_location, day=day, after=after[from_location.pk])
        return insert.execute(from_balance_after=after.get(from_location.pk),
                              to_balance_after=after.get(to_location.pk))


def _log_on_commit(movement: Movement, *, offices: list[Office], by: AbstractUser) -> None:
    """The audit log line, written once the posting has committed (never for a rollback)."""
    transaction.on_commit(functools.partial(
        logger.info,
        "movement id=%s reason=%s qty=%s from=%s to=%s office=%s user=%s ref=%s",
        movement.pk, movement.reason, movement.quantity, movement.from_location.code,
        movement.to_location.code, ",".join(sorted(office.code for office in offices)),
        getattr(by, "username", by), movement.reference,
    ))


def post_movement(
    *,
    from_location: Location,
    to_location: Location,
    quantity: int,
    reason: str,
    by: AbstractUser,
    occurred_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    cause: str = "",
    idempotency_key: str | None = None,
    reverses: Movement | None = None,
    loan: Loan | None = None,
    blank_request: BlankRequest | None = None,
) -> Movement:
    """Posts one movement, or returns the one already posted under `idempotency_key`.

    A returned earlier movement has `replayed` set: the caller must then write
    nothing else, because the first request already did.
    """
    quantity = validate_quantity(quantity)
    note = clean_note(note)
    offices = [office for office in {loc.office for loc in (from_location, to_location)}
               if office]
    # Everything that makes the action what it is: a key replayed for another action
    # (a draw, then a ruined print), other data, or by another user is refused.
    digest = fingerprint(
        source=from_location.pk, target=to_location.pk, quantity=quantity, reason=reason,
        reference=reference, cause=cause, occurred_on=occurred_on or "",
        reverses=reverses.pk if reverses else "", note=note, by=getattr(by, "pk", None) or "",
        # Only when set, so that the keys of every other posting keep their digest.
        **({"blank_request": blank_request.pk} if blank_request else {}),
    )
    existing = find_idempotent(idempotency_key, digest)
    if existing is not None:
        return existing
    # The closed-month check waits until the balance locks are held (_write).
    day = validate_business_date(occurred_on, offices=offices, check_closed=False)
    insert = PreparedInsert(Movement(
        from_location=from_location, to_location=to_location, quantity=quantity,
        reason=reason, cause=cause, occurred_on=day, recorded_by=by,
        reference=reference, note=note, idempotency_key=idempotency_key or None,
        fingerprint=digest if idempotency_key else "", reverses=reverses, loan=loan,
        blank_request=blank_request,
    ))
    try:
        movement = _write(insert, from_location=from_location, to_location=to_location,
                          quantity=quantity, day=day, offices=offices)
    except (IntegrityError, ValidationError):
        # A concurrent request with the same key may have won the race. It held the
        # balance locks we waited for, so it has committed by now, and it may have
        # taken the last blanks or the unique key: answer with its movement.
        existing = find_idempotent(idempotency_key, digest)
        if existing is not None:
            return existing
        raise
    _log_on_commit(movement, offices=offices, by=by)
    return movement
