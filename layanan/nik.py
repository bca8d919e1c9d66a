"""The NIK (Nomor Induk Kependudukan) and KK number.

A NIK has 16 digits: 1-2 province, 3-4 kab/kota, 5-6 kecamatan where it was first
issued, 7-12 the birth date as DDMMYY (40 added to the day for women) and 13-16 a
serial from 0001. The digits and the date are checked strictly; the region code
only leniently (a NIK issued before a region was split carries an old code), so an
unknown code gives a warning, never a rejection.

The birth year has two digits, so it is read in the century that makes a plausible
applicant on the day of the check (see `_birth_date`): someone born "25" applying
in 2026 is 101 years old, not 1; someone born on 15-12-"26" is 99, not unborn.
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

# The century of a two-digit birth year (see _birth_date). Under YOUNGEST_APPLICANT_AGE
# nobody applies for an e-KTP, not even married; from MAX_AGE on nobody is alive to.
YOUNGEST_APPLICANT_AGE = 10
MAX_AGE = 120


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


def _anniversary(born: datetime.date, years: int) -> datetime.date:
    """The day someone born on `born` turns `years` (29 February: the 28th, as
    `layanan.rules.add_years` counts the 17th birthday)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, day=28)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years on `day`."""
    years = day.year - born.year
    return years - 1 if _anniversary(born, years) > day else years


def _birth_date(digits: str, today: datetime.date
                ) -> tuple[datetime.date, str, tuple[str, ...]]:
    """The birth date and sex in digits 7-12, and a warning when the century is in doubt.

    The two-digit year has two readings, 19YY and 20YY. A reading is possible when it
    is a real date, not after `today`, and makes the person under MAX_AGE (120). Of
    the possible readings, the youngest in which the person is at least
    YOUNGEST_APPLICANT_AGE (10) wins; the two readings are 100 years apart, so in
    practice the person is read as 10 to 109 years old. Checked on 1 December 2026:

    - 01-01-25 is 1925 (101 years old), not a baby born in 2025;
    - 15-12-26 is 1926 (99), not a date in the future;
    - 01-01-09 is 2009 (17); 01-01-14 is 2014 (12), not 1914 (112): a pemula who came
      too early, or a married minor, is far likelier than someone of 110 or more, and
      the younger reading keeps the age rule (`rules.check_eligibility`) able to
      refuse a registration that comes too early;
    - 01-12-06 is 2006 (20), never 1906 (120).

    Marriage is not looked at: a NIK reads the same whatever the form says, and a
    married applicant of 10 or more is read as such (the age rule lets them in).
    When the older reading wins over a younger possible one (a person read as 100 or
    more, who would be a child under 10 in the other century), the operator is warned:
    a child's NIK copied from the Kartu Keluarga by mistake looks just like that.
    """
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = MALE
    if day > 40:
        day -= 40
        sex = FEMALE
    readings = []  # the youngest first
    for century in (2000, 1900):
        try:
            readings.append(datetime.date(century + year, month, day))
        except ValueError:  # e.g. 29-02-00 is a date in 2000, not in 1900
            continue
    if not readings:
        raise ValidationError(
            _("Tanggal lahir dalam NIK (digit 7-12) tidak valid."), code="bad_date")
    past = [born for born in readings if born <= today]
    if not past:
        raise ValidationError(_("Tanggal lahir dalam NIK ada di masa depan."),
                              code="future_date")
    possible = [born for born in past if age_on(born, today) < MAX_AGE]
    if not possible:
        raise ValidationError(
            _("Tanggal lahir dalam NIK berarti usia %(age)s tahun atau lebih.")
            % {"age": MAX_AGE}, code="too_old")
    born = next((b for b in possible if age_on(b, today) >= YOUNGEST_APPLICANT_AGE),
                possible[0])
    warnings = ()
    if born != possible[0]:
        other = possible[0]
        warnings = (
            _("Tanggal lahir dalam NIK dibaca %(born)s (usia %(age)s tahun), bukan "
              "%(other)s (usia %(other_age)s tahun). Pastikan NIK ini milik pemohon.")
            % {"born": f"{born:%d-%m-%Y}", "age": age_on(born, today),
               "other": f"{other:%d-%m-%Y}", "other_age": age_on(other, today)},
        )
    return born, sex, warnings


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikInfo:
    """Validates a NIK and returns what it encodes.

    `today` is the day of the check (the request's submission day; by default today
    in the local time zone, Asia/Jakarta): it decides the century of the birth year.
    Raises ValidationError with an Indonesian message for a bad NIK. `warnings` holds
    what staff should check but what does not make the NIK invalid: an unknown region
    code, a century in doubt. They are for staff, never shown to the public.
    """
    nik = normalize_number(value, label="NIK")
    born, sex, warnings = _birth_date(nik, today or timezone.localdate())
    if nik[12:] == "0000":
        raise ValidationError(_("Nomor urut NIK (digit 13-16) dimulai dari 0001."),
                              code="serial")
    code = nik[:6]
    province, regency, district = region(code[:2]), region(code[:4]), region(code)
    if district is None:
        warnings = (
            _("Kode wilayah %(code)s tidak ada dalam daftar wilayah terbaru; periksa kembali "
              "(NIK lama dapat memakai kode sebelum pemekaran).")
            % {"code": f"{code[:2]}.{code[2:4]}.{code[4:]}"},
            *warnings,
        )
    return NikInfo(
        nik=nik, region_code=code, birth_date=born, sex=sex, serial=nik[12:],
        province_name=province.name if province else "",
        regency_name=regency.name if regency else "",
        district_name=district.name if district else "",
        warnings=warnings,
    )


def nik_warnings(nik: str, *, today: datetime.date) -> tuple[str, ...]:
    """What `parse_nik` warns staff about a stored NIK, read as on `today` (its request's
    submission day); none when the NIK no longer parses (data from outside the forms)."""
    try:
        return parse_nik(nik, today=today).warnings
    except ValidationError:
        return ()


def validate_kk(value: str) -> str:
    """A Kartu Keluarga number: 16 digits, returned without separators."""
    return normalize_number(value, label=_("Nomor KK"))


def mask_nik(nik: str) -> str:
    """2172 •••• •••• 0001: enough to tell requests apart, not enough to misuse."""
    if len(nik) != NIK_LENGTH:
        return "•" * 4
    return f"{nik[:4]} •••• •••• {nik[12:]}"
