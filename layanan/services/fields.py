"""What a person types into a request, checked and cleaned: name, phone, email, notes.

Each function returns the value as stored, or raises a ValidationError keyed by its
field, so that a form shows the message beside the field.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from blanko.formatting import number
from blanko.services.checks import clean_line
from blanko.text import clean_text
from layanan.models import RequestEvent, ServiceRequest

_PHONE = re.compile(r"^(?:\+62|62|0)8[1-9][0-9]{6,11}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
_NAME_PUNCTUATION = frozenset(" .,'-`\u2019")
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = ServiceRequest._meta.get_field("email").max_length
NOTE_MAX_LENGTH = RequestEvent._meta.get_field("note").max_length
POLICE_REPORT_MAX_LENGTH = 100


def clean_name(value: str) -> str:
    """A name as seen: control characters refused, invisible ones removed (NFKC).

    Zero-width and bidi characters come with pasted text and are dropped; a name made
    only of them is refused, as is one with a C0 or C1 control character.
    """
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"full_name": _("Nama lengkap wajib diisi.")}, code="required")
    if _NAME_CONTROL.search(name):
        raise ValidationError({"full_name": _("Nama mengandung karakter yang tidak sah.")},
                              code="invalid")
    name = clean_text(name)
    if not name:
        raise ValidationError(
            {"full_name": _("Nama lengkap hanya berisi karakter yang tidak terlihat.")},
            code="invisible",
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"full_name": _("Nama lengkap terlalu panjang (maksimal %(max)s karakter).")
             % {"max": number(NAME_MAX_LENGTH)}},
            code="max_length",
        )
    if not _is_written_name(name):
        raise ValidationError({"full_name": _(
            "Nama lengkap hanya boleh berisi huruf, spasi dan tanda . , ' - "
            "(tanpa angka atau simbol), dan harus ada hurufnya."
        )}, code="not_a_name")
    return name


def _is_written_name(name: str) -> bool:
    """Letters of any script, accents on a letter, spaces and a name's punctuation.

    Combining marks alone, private-use and unassigned characters, digits and symbols
    (an emoji) are not a name that can be printed on a card.
    """
    previous = ""
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("M"):
            if not previous.startswith(("L", "M")):
                return False
        elif not category.startswith("L") and char not in _NAME_PUNCTUATION:
            return False
        previous = category
    return any(unicodedata.category(char).startswith("L") for char in name)


def clean_phone(value: str) -> str:
    phone = re.sub(r"[\s\-().]", "", value or "")
    if not phone:
        return ""
    if not _PHONE.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Nomor HP tidak valid. Contoh: 0812 3456 7890 atau +62 812 3456 7890.")},
            code="invalid",
        )
    return "0" + phone.removeprefix("+62").removeprefix("62").removeprefix("0")


def clean_email(value: str) -> str:
    email = clean_text(value)  # pasted addresses bring zero-width characters along
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Alamat email tidak valid.")}) from None
        if len(email) > EMAIL_MAX_LENGTH:  # the column's limit; the validator allows 320
            raise ValidationError({"email": _("Alamat email tidak valid.")})
    return email


def clean_police_report(value: str, *, kind: str) -> str:
    """The police report number: required for a lost card, one plain line."""
    report = (value or "").strip()
    errors = []
    if CONTROL.search(report):
        errors.append(_("Nomor surat mengandung karakter yang tidak sah."))
    if kind == ServiceRequest.Kind.LOST and not report:
        errors.append(_("Permohonan KTP-el hilang wajib menyertakan nomor surat kehilangan "
                        "dari kepolisian."))
    if len(report) > POLICE_REPORT_MAX_LENGTH:
        errors.append(_("Nomor surat terlalu panjang."))
    if errors:
        raise ValidationError({"police_report_number": errors})
    return report


def clean_reason(value: str | None, *, label: str | None = None, field: str = "reason",
                 required_message: str = "") -> str:
    """One line of free text for an event note, cleaned like every note of the ledger
    (blanko.services.checks.clean_line), at most 500 characters.

    A control character is refused rather than removed: in a typed reason it is a paste
    gone wrong, and the person should see it. With `required_message`, an empty value
    is refused with that message.
    """
    label = label or _("Alasan")
    line = " ".join((value or "").split())
    if CONTROL.search(line):
        raise ValidationError(
            {field: _("%(label)s mengandung karakter yang tidak sah.") % {"label": label}},
            code="invalid")
    reason = clean_line(line, field=field, label=label, max_length=NOTE_MAX_LENGTH)
    if required_message and not reason:
        raise ValidationError({field: required_message}, code="required")
    return reason
