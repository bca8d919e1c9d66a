"""Eligibility, priority and document rules. Pure functions: no database."""

from __future__ import annotations

import calendar
import datetime

from django.utils.translation import gettext_lazy as _

from layanan.models import ServiceRequest

Kind = ServiceRequest.Kind
Tier = ServiceRequest.Tier

ADULT_AGE = 17
# A first-time applicant may register up to one calendar year before their 17th
# birthday (e.g. to be ready before an election); the card is printed on or after it.
EARLY_REGISTRATION_YEARS = 1
# Kept for callers that count in days; the rule itself is earliest_registration().
EARLY_REGISTRATION_DAYS = 366
SUKET_VALID_MONTHS = 6

DOCUMENTS = {
    "kk": _("Kartu Keluarga (KK)"),
    "birth_certificate": _("Akta kelahiran atau ijazah"),
    "damaged_card": _("KTP-el yang rusak"),
    "police_report": _("Surat keterangan kehilangan dari kepolisian"),
    "supporting_document": _("Dokumen pendukung perubahan data"),
    "moving_certificate": _("Surat Keterangan Pindah (SKPWNI)"),
}

REQUIRED_DOCUMENTS = {
    Kind.NEW: ("kk", "birth_certificate"),
    Kind.DAMAGED: ("kk", "damaged_card"),
    Kind.LOST: ("kk", "police_report"),
    Kind.DATA_CHANGE: ("kk", "supporting_document"),
    Kind.RELOCATION: ("kk", "moving_certificate"),
}


def priority_tier(*, kind: str, disaster_victim: bool, replaces_suket: bool) -> int:
    """1 first-time, 2 disaster victim, 3 suket replacement, 4 everyone else."""
    if kind == Kind.NEW:
        return Tier.FIRST_TIME
    if disaster_victim:
        return Tier.DISASTER
    if replaces_suket:
        return Tier.SUKET
    return Tier.OTHER


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def seventeenth_birthday(birth_date: datetime.date) -> datetime.date:
    return add_years(birth_date, ADULT_AGE)


def earliest_registration(birth_date: datetime.date) -> datetime.date:
    """The first day a first-time applicant may register: a year before turning 17."""
    return add_years(seventeenth_birthday(birth_date), -EARLY_REGISTRATION_YEARS)


def printable_from(*, birth_date: datetime.date, married: bool, today: datetime.date
                   ) -> datetime.date | None:
    """The first day a card may be printed, or None when it may be printed now."""
    if married:
        return None
    birthday = seventeenth_birthday(birth_date)
    return birthday if birthday > today else None


def required_documents(kind: str) -> tuple[str, ...]:
    return REQUIRED_DOCUMENTS.get(kind, ("kk",))
