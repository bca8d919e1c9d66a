"""The checks that every ledger service shares, in one place.

- Typed text: `clean_note` and `clean_line` apply blanko.text.clean_text and the
  length limit, with the same message everywhere.
- Quantities and document numbers: `validate_quantity`, `validate_reference`.
- Idempotent replays: `fingerprint`, `find_idempotent` (the movement an earlier
  submission posted, or a refusal when the same key came with other data) and
  `is_replay` (the cheap test a service makes before its own checks, so that a
  replayed submission is answered even when its document number is now taken).
- Natural keys (a BAST number per source, a berita acara number per office, one
  reversal per movement): `refuse_if_taken` before writing, and `duplicate_refused`
  around the write, which turns the unique constraint's IntegrityError into the
  same refusal when a concurrent request took the key first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from blanko.exceptions import IdempotencyConflict
from blanko.formatting import number
from blanko.models import MAX_QUANTITY, Movement
from blanko.text import clean_text, normalise_reference

NOTE_MAX_LENGTH = Movement._meta.get_field("note").max_length
REFERENCE_MAX_LENGTH = Movement._meta.get_field("reference").max_length


# --- Typed text ---------------------------------------------------------------------------


def _within(value: str, *, field: str, label: str, max_length: int) -> str:
    if len(value) > max_length:
        raise ValidationError({field: ValidationError(
            _("%(label)s terlalu panjang (maksimal %(max)s karakter).")
            % {"label": label, "max": max_length},
            code="max_length",
        )})
    return value


def clean_note(value: str | None, *, field: str = "note", label: str | None = None,
               max_length: int = NOTE_MAX_LENGTH) -> str:
    """A note typed in a textarea: cleaned (blanko.text.clean_text, line breaks kept)
    and at most max_length characters. The one rule for every note of the ledger."""
    return _within(clean_text(value, multiline=True), field=field,
                   label=label or _("Catatan"), max_length=max_length)


def clean_line(value: str | None, *, field: str, label: str,
               max_length: int = NOTE_MAX_LENGTH) -> str:
    """A one-line text (a reason, witnesses, a serial number): cleaned, within max_length."""
    return _within(clean_text(value), field=field, label=label, max_length=max_length)


# --- Quantities, causes and document numbers ----------------------------------------------


def validate_quantity(quantity: Any, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({field: _("Jumlah harus berupa bilangan bulat.")}, code="invalid")
    if quantity <= 0:
        raise ValidationError({field: _("Jumlah harus lebih dari 0.")}, code="min_value")
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            {field: _("Jumlah tidak masuk akal (maksimal %(max)s blanko).")
             % {"max": number(MAX_QUANTITY)}},
            code="max_value",
        )
    return quantity


def validate_cause(cause: str) -> str:
    """A cause of ruin from Movement.Cause."""
    if cause not in Movement.Cause.values:
        raise ValidationError({"cause": _("Pilih penyebab kerusakan yang valid.")},
                              code="invalid")
    return cause


def validate_reference(reference: str, *, label: str | None = None) -> str:
    """A document number (BAST, berita acara, letter), normalised before it is stored
    or checked for uniqueness (blanko.text.normalise_reference): what looks the same
    on paper is the same number, invisible characters and full-width digits aside."""
    label = label or _("Nomor referensi")
    reference = normalise_reference(reference)
    if not reference:
        raise ValidationError({"reference": _("%(label)s wajib diisi.") % {"label": label}},
                              code="required")
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": _("%(label)s terlalu panjang.") % {"label": label}},
                              code="max_length")
    if not reference.isascii():
        # Letters from other scripts (a Cyrillic К), other digits (٤٧٠) and combining
        # accents look like a number already used, and NFKC does not map them.
        raise ValidationError({"reference": _(
            "%(label)s hanya boleh berisi huruf Latin, angka dan tanda baca biasa; "
            "ada karakter lain (misalnya huruf Kiril yang mirip huruf Latin). Ketik ulang "
            "nomornya."
        ) % {"label": label}}, code="not_ascii")
    return reference


# --- Idempotent replays --------------------------------------------------------------------


def fingerprint(**fields: Any) -> str:
    """A digest of everything that makes a posting what it is."""
    text = "|".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hashlib.sha256(text.encode()).hexdigest()


def find_idempotent(idempotency_key: str | None, digest: str) -> Movement | None:
    """Returns the movement already posted under this key, or None.

    The same key with different data is refused rather than silently ignored.
    """
    if not idempotency_key:
        return None
    existing = Movement.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.fingerprint != digest:
        raise IdempotencyConflict()
    existing.replayed = True
    return existing


def is_replay(idempotency_key: str | None) -> bool:
    """Whether a movement was already posted under this key (its data is checked later,
    by post_movement, which answers with it or refuses a key reused for other data)."""
    return bool(idempotency_key) and Movement.objects.filter(
        idempotency_key=idempotency_key
    ).exists()


# --- Natural keys --------------------------------------------------------------------------


def refuse_if_taken(taken: Callable[[], bool], duplicate: ValidationError) -> None:
    """Raises `duplicate` when the natural key is taken already."""
    if taken():
        raise duplicate


@contextmanager
def duplicate_refused(taken: Callable[[], bool], duplicate: ValidationError) -> Iterator[None]:
    """Around a write (outside its atomic block): a unique constraint's IntegrityError
    becomes `duplicate` when the natural key turns out to be taken; any other error
    is raised as it is."""
    try:
        yield
    except IntegrityError:
        if taken():
            raise duplicate from None
        raise
