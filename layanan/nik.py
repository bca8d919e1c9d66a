"""The NIK (Nomor Induk Kependudukan) and KK number.

A NIK has 16 digits: 1-2 province, 3-4 kab/kota, 5-6 kecamatan where it was first
issued, 7-12 the birth date as DDMMYY (40 added to the day for women) and 13-16 a
serial from 0001. The digits and the date are checked strictly; the region code
only leniently (a NIK issued before a region was split carries an old code), so an
unknown code gives a warning, never a rejection.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko.formatting import number
from blanko.regions import region

NIK_LENGTH = 16
_DIGITS = re.compile(r"[0-9]{16}")
_SEPARATORS = re.compile(r"[\s.\-]")

MALE = "M"
FEMALE = "F"


@dataclass(frozen=True)
class NikInfo:
    nik: str
    region_code: str
    birth_date: datetime.date
    sex: str
    serial: str
    province_name: str = ""
    regency_name: str = ""
    district_name: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def region_label(self) -> str:
        names = [n for n in (self.district_name, self.regency_name, self.province_name) if n]
        return ", ".join(names)


def normalize_number(value: str, *, label: str) -> str:
    """Strips spaces, dots and dashes and checks for 16 ASCII digits.

    `label` names the number in the messages ("NIK", "Nomor KK").
    """
    if not isinstance(value, str):
        raise ValidationError(_("%(label)s harus berupa teks angka.") % {"label": label},
                              code="invalid")
    cleaned = _SEPARATORS.sub("", value)
    if not cleaned:
        raise ValidationError(_("%(label)s wajib diisi.") % {"label": label}, code="required")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValidationError(_("%(label)s hanya boleh berisi angka 0-9.") % {"label": label},
                              code="not_digits")
    if len(cleaned) != NIK_LENGTH:
        raise ValidationError(
            _("%(label)s harus %(length)s digit (yang diisi %(count)s digit).")
            % {"label": label, "length": NIK_LENGTH, "count": number(len(cleaned))},
            code="length",
        )
    if not _DIGITS.fullmatch(cleaned):  # defensive: isdigit() above already held
        raise ValidationError(_("%(label)s tidak valid.") % {"label": label}, code="invalid")
    if cleaned == "0" * NIK_LENGTH:
        raise ValidationError(_("%(label)s tidak boleh semuanya nol.") % {"label": label},
                              code="zeros")
    return cleaned


def _birth_date(digits: str, today: datetime.date) -> tuple[datetime.date, str]:
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = MALE
    if day > 40:
        day -= 40
        sex = FEMALE
    century = 2000 if 2000 + year <= today.year else 1900
    try:
        born = datetime.date(century + year, month, day)
    except ValueError:
        raise ValidationError(
            _("Tanggal lahir dalam NIK (digit 7-12) tidak valid."), code="bad_date"
        ) from None
    if born > today:
        raise ValidationError(_("Tanggal lahir dalam NIK ada di masa depan."),
                              code="future_date")
    return born, sex


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikInfo:
    """Validates a NIK and returns what it encodes.

    Raises ValidationError with an Indonesian message for a bad NIK.
    """
    nik = normalize_number(value, label="NIK")
    born, sex = _birth_date(nik, today or timezone.localdate())
    if nik[12:] == "0000":
        raise ValidationError(_("Nomor urut NIK (digit 13-16) dimulai dari 0001."),
                              code="serial")
    code = nik[:6]
    province, regency, district = region(code[:2]), region(code[:4]), region(code)
    warnings = []
    if district is None:
        warnings.append(
            _("Kode wilayah %(code)s tidak ada dalam daftar wilayah terbaru; periksa kembali "
              "(NIK lama dapat memakai kode sebelum pemekaran).")
            % {"code": f"{code[:2]}.{code[2:4]}.{code[4:]}"}
        )
    return NikInfo(
        nik=nik, region_code=code, birth_date=born, sex=sex, serial=nik[12:],
        province_name=province.name if province else "",
        regency_name=regency.name if regency else "",
        district_name=district.name if district else "",
        warnings=tuple(warnings),
    )


def validate_kk(value: str) -> str:
    """A Kartu Keluarga number: 16 digits, returned without separators."""
    return normalize_number(value, label=_("Nomor KK"))


def mask_nik(nik: str) -> str:
    """2172 •••• •••• 0001: enough to tell requests apart, not enough to misuse."""
    if len(nik) != NIK_LENGTH:
        return "•" * 4
    return f"{nik[:4]} •••• •••• {nik[12:]}"
