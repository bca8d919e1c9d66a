"""The one way a movement is written.

`post_movement` validates, takes the balance row locks in location-id order
(so that two postings touching the same pair of locations cannot deadlock),
moves the counts with a conditional UPDATE ... RETURNING, and inserts the
movement, all in one transaction. On PostgreSQL a posting that moves a single
balance (a draw, a receipt) does the UPDATE and the INSERT in one statement.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import sql
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blanko.exceptions import IdempotencyConflict, InsufficientStock
from blanko.formatting import number
from blanko.models import MAX_QUANTITY, Balance, Location, MonthClose, Movement, Office
from blanko.text import normalise_reference

logger = logging.getLogger("siblanko.ledger")


def today() -> datetime.date:
    return timezone.localdate()


def validate_quantity(quantity: Any, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({field: "Jumlah harus berupa bilangan bulat."}, code="invalid")
    if quantity <= 0:
        raise ValidationError({field: "Jumlah harus lebih dari 0."}, code="min_value")
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            {field: f"Jumlah tidak masuk akal (maksimal {number(MAX_QUANTITY)} blanko)."},
            code="max_value",
        )
    return quantity


def validate_reference(reference: str, *, label: str = "Nomor referensi") -> str:
    """A document number (BAST, berita acara, letter), normalised before it is stored
    or checked for uniqueness (blanko.text.normalise_reference): what looks the same
    on paper is the same number, invisible characters and full-width digits aside."""
    reference = normalise_reference(reference)
    if not reference:
        raise ValidationError({"reference": f"{label} wajib diisi."}, code="required")
    if len(reference) > 100:
        raise ValidationError({"reference": f"{label} terlalu panjang."}, code="max_length")
    if not reference.isascii():
        # Letters from other scripts (a Cyrillic К), other digits (٤٧٠) and combining
        # accents look like a number already used, and NFKC does not map them.
        raise ValidationError({"reference": _(
            "%(label)s hanya boleh berisi huruf Latin, angka dan tanda baca biasa; "
            "ada karakter lain (misalnya huruf Kiril yang mirip huruf Latin). Ketik ulang "
            "nomornya."
        ) % {"label": label}}, code="not_ascii")
    return reference


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
        raise ValidationError({"occurred_on": "Tanggal tidak valid."}, code="invalid")
    if day > today():
        raise ValidationError(
            {"occurred_on": "Tanggal transaksi tidak boleh di masa depan."}, code="future"
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


def _fingerprint(**fields: Any) -> str:
    text = "|".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hashlib.sha256(text.encode()).hexdigest()


def find_idempotent(idempotency_key: str | None, fingerprint: str) -> Movement | None:
    """Returns the movement already posted under this key, or None.

    The same key with different data is refused rather than silently ignored.
    """
    if not idempotency_key:
        return None
    existing = Movement.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict()
    existing.replayed = True
    return existing


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
        f"Stok di {location.name} tidak mencukupi: tersedia {number(have)}, "
        f"dibutuhkan {number(-delta)}.",
        available=have,
    )


class PreparedInsert:
    """A movement's INSERT, compiled by the ORM before the balance locks are taken.

    Only the balances after the posting are unknown until the locks are held; they
    are put into the compiled parameters then. The locks are thus held for the
    UPDATE, one INSERT and the COMMIT, and not while the ORM builds the statement,
    which was most of a draw's Python time under the lock (issue 6: with 4 workers
    drawing on one store, a lock holder waiting for a CPU stalls the other three).
    """

    def __init__(self, movement: Movement) -> None:
        meta = Movement._meta
        # The columns Model.save() would insert: every concrete field but the auto pk.
        fields = [field for field in meta.local_concrete_fields
                  if field is not meta.auto_field and not field.generated]
        query = sql.InsertQuery(Movement)
        query.insert_values(fields, [movement])
        compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
        compiler.returning_fields = [meta.pk]
        [(self.sql, params)] = compiler.as_sql()
        self.params = list(params)
        self.fields = fields
        self.slots = {field.attname: index for index, field in enumerate(fields)}
        self.columns = [field.column for field in fields]
        self.movement = movement

    def execute_with_balance(self, *, location: Location, delta: int,
                             after: str) -> Movement | None:
        """PostgreSQL: moves the one balance and inserts the movement in one statement.

        The UPDATE ... RETURNING feeds the INSERT through a CTE, so the row lock is
        held for the rest of that statement and the COMMIT only: one round trip
        less under the lock than UPDATE, then INSERT. `after` names the field that
        takes the new count. None when the stock does not suffice (nothing written).
        """
        quote = connection.ops.quote_name
        # Computed in the statement, once the row lock is ours: the new count, and the
        # time of recording (clock_timestamp(), so that recorded_at follows lock order).
        late = {self.slots[after]: "moved.quantity",
                self.slots["recorded_at"]: "clock_timestamp()"}
        select = ", ".join(late.get(index, "%s") for index in range(len(self.columns)))
        params = [value for index, value in enumerate(self.params) if index not in late]
        statement = (
            f"WITH moved AS (UPDATE {quote(Balance._meta.db_table)} "  # noqa: S608
            "SET quantity = quantity + %s, updated_at = clock_timestamp() "
            "WHERE location_id = %s AND quantity + %s >= 0 RETURNING quantity) "
            f"INSERT INTO {quote(Movement._meta.db_table)} "
            f"({', '.join(quote(column) for column in self.columns)}) "
            f"SELECT {select} FROM moved "
            "RETURNING " + ", ".join(quote(column) for column in (
                Movement._meta.pk.column, self.columns[self.slots[after]],
                self.columns[self.slots["recorded_at"]]))
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [delta, location.pk, delta, *params])
            row = cursor.fetchone()
        if row is None:
            return None
        movement = self.movement
        movement.pk = row[0]
        setattr(movement, after, row[1])
        movement.recorded_at = row[2]
        movement._state.adding = False
        movement._state.db = DEFAULT_DB_ALIAS
        return movement

    def execute(self, **late_values: int | None) -> Movement:
        """Inserts the movement with the values known only under the locks: the counts
        after it, and the time of recording (so that recorded_at follows lock order)."""
        movement = self.movement
        for attname, value in {**late_values, "recorded_at": timezone.now()}.items():
            setattr(movement, attname, value)
            slot = self.slots[attname]
            self.params[slot] = self.fields[slot].get_db_prep_save(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            movement.pk = cursor.fetchone()[0]
        movement._state.adding = False
        movement._state.db = DEFAULT_DB_ALIAS
        return movement


def post_movement(
    *,
    from_location: Location,
    to_location: Location,
    quantity: int,
    reason: str,
    by,
    occurred_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    cause: str = "",
    idempotency_key: str | None = None,
    reverses: Movement | None = None,
    loan=None,
) -> Movement:
    """Posts one movement, or returns the one already posted under `idempotency_key`.

    A returned earlier movement has `replayed` set: the caller must then write
    nothing else, because the first request already did.
    """
    quantity = validate_quantity(quantity)
    if len(note or "") > 500:
        raise ValidationError({"note": "Catatan terlalu panjang (maksimal 500 karakter)."})
    offices = [
        office for office in {loc.office for loc in (from_location, to_location)} if office
    ]
    # Everything that makes the action what it is: a key replayed for another action
    # (a draw, then a ruined print), other data, or by another user is refused.
    fingerprint = _fingerprint(
        source=from_location.pk, target=to_location.pk, quantity=quantity, reason=reason,
        reference=reference, cause=cause, occurred_on=occurred_on or "",
        reverses=reverses.pk if reverses else "", note=note or "",
        by=getattr(by, "pk", None) or "",
    )
    existing = find_idempotent(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    # The closed-month check waits until the balance locks are held (below).
    day = validate_business_date(occurred_on, offices=offices, check_closed=False)
    insert = PreparedInsert(Movement(
        from_location=from_location, to_location=to_location, quantity=quantity,
        reason=reason, cause=cause, occurred_on=day, recorded_by=by,
        reference=reference, note=note, idempotency_key=idempotency_key or None,
        fingerprint=fingerprint if idempotency_key else "", reverses=reverses, loan=loan,
    ))
    try:
        with transaction.atomic():
            balanced = sorted((loc for loc in (from_location, to_location) if loc.has_balance),
                              key=lambda loc: loc.pk)
            movement = None
            if len(balanced) == 1 and connection.vendor == "postgresql":
                # A draw (store to ISSUED), a receipt, ...: one statement.
                location = balanced[0]
                delta = -quantity if location is from_location else quantity
                movement = insert.execute_with_balance(
                    location=location, delta=delta,
                    after="from_balance_after" if location is from_location
                    else "to_balance_after")
                if movement is None:
                    raise _insufficient(location, delta)
            else:
                after: dict[int, int] = {}
                for location in balanced:
                    delta = -quantity if location is from_location else quantity
                    after[location.pk] = _apply(location, delta)
            # The period lock date, re-checked under the balance locks, before the
            # commit: close_month takes the same locks, so a month cannot be closed
            # between this check and the insert (a refusal rolls the insert back).
            if month_start(day) != month_start(soon()):
                validate_business_date(day, offices=offices)
            # else: the day is locked only by a close of its own month or a later one.
            # close_month refuses a month that has not ended, and any close that
            # committed before these locks were ours validated against a "today" no
            # later than this one (on another server too, as long as its clock is less
            # than CLOCK_MARGIN ahead), so no such close exists yet. Skipping the
            # query keeps the lock short for the everyday case, a draw dated today.
            if movement is None:
                movement = insert.execute(from_balance_after=after.get(from_location.pk),
                                          to_balance_after=after.get(to_location.pk))
    except (IntegrityError, ValidationError):
        # A concurrent request with the same key may have won the race. It held the
        # balance locks we waited for, so it has committed by now, and it may have
        # taken the last blanks or the unique key: answer with its movement.
        existing = find_idempotent(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        raise
    logger.info(
        "movement id=%s reason=%s qty=%s from=%s to=%s office=%s user=%s ref=%s",
        movement.pk, reason, quantity, from_location.code, to_location.code,
        ",".join(sorted(office.code for office in offices)), getattr(by, "username", by),
        reference,
    )
    return movement


def lock_office_balances(office: Office) -> None:
    """Takes the row locks of every balance of an office, in location-id order."""
    list(
        Balance.objects.select_for_update()
        .filter(location__office=office)
        .order_by("location_id")
        .values_list("location_id", flat=True)
    )
