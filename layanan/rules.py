"""The rules of a service request. Pure functions: no database.

- Who may register when: the age rule (`check_eligibility`, `printable_from`).
- Who is served first: the priority tiers and the reservation rule (`print_blocker`).
- What staff may do to a request now: `allowed_actions`, the one table of which status
  allows which action, which the detail page shows and the services enforce
  (`state_refusal` when they lock the request, `blank_refusal` once they know the stock).
- Which documents each kind needs.
"""

from __future__ import annotations

import calendar
import datetime
import enum
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blanko.exceptions import InsufficientStock
from blanko.formatting import number
from layanan.models import ServiceRequest

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status
Tier = ServiceRequest.Tier

ADULT_AGE = 17
# A first-time applicant may register up to one calendar year before their 17th
# birthday (e.g. to be ready before an election); the card is printed on or after it.
EARLY_REGISTRATION_YEARS = 1
# Kept for callers that count in days; the rule itself is earliest_registration().
EARLY_REGISTRATION_DAYS = 366
SUKET_VALID_MONTHS = 6

DOCUMENTS = {
    "kk": gettext_lazy("Kartu Keluarga (KK)"),
    "birth_certificate": gettext_lazy("Akta kelahiran atau ijazah"),
    "damaged_card": gettext_lazy("KTP-el yang rusak"),
    "police_report": gettext_lazy("Surat keterangan kehilangan dari kepolisian"),
    "supporting_document": gettext_lazy("Dokumen pendukung perubahan data"),
    "moving_certificate": gettext_lazy("Surat Keterangan Pindah (SKPWNI)"),
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


def required_documents(kind: str) -> tuple[str, ...]:
    return REQUIRED_DOCUMENTS.get(kind, ("kk",))


# --- Dates and the age rule -----------------------------------------------------------


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


def printable_on(*, printable_from: datetime.date | None, day: datetime.date) -> bool:
    """Whether a request's card may be printed on `day` (the age rule; see
    `selectors.printable_q` for the same test in SQL)."""
    return printable_from is None or printable_from <= day


def check_eligibility(*, kind: str, birth_date: datetime.date, married: bool,
                      today: datetime.date) -> datetime.date | None:
    """The age rule at registration: returns `printable_from`, or refuses.

    Someone under 17 and unmarried never had a card, so only a first-time request
    (kind NEW) is possible, and only from a year before the 17th birthday.
    """
    printable = printable_from(birth_date=birth_date, married=married, today=today)
    if printable is None:
        return None
    if kind != Kind.NEW:
        raise ValidationError(
            {"kind": _("Pemohon belum berusia 17 tahun dan belum kawin, sehingga belum pernah "
                       "memiliki KTP-el; ajukan sebagai permohonan baru.")},
            code="too_young",
        )
    earliest = earliest_registration(birth_date)
    if today < earliest:
        raise ValidationError(
            {"nik": _("Pemohon baru berusia 17 tahun pada %(birthday)s. Permohonan dapat "
                      "diajukan paling cepat %(earliest)s.")
                    % {"birthday": f"{printable:%d-%m-%Y}", "earliest": f"{earliest:%d-%m-%Y}"}},
            code="too_young",
        )
    return printable


# --- The reservation rule ---------------------------------------------------------------

TOO_YOUNG = "too_young"
NO_STOCK = "no_stock"
RESERVED = "reserved"


@dataclass(frozen=True)
class Blocker:
    """Why a verified request cannot take a blank now."""

    code: str  # TOO_YOUNG, NO_STOCK or RESERVED
    message: str


def print_blocker(*, request: ServiceRequest, stock: int, higher_waiting: int,
                  today: datetime.date) -> Blocker | None:
    """Why this request cannot take a blank now, or None when it can.

    A request of tier 2 or lower may take a blank only when the stock left afterwards
    still covers every printable request of a higher tier (`higher_waiting`).
    `selectors.request_blocker` reads the figures for one request.
    """
    if not printable_on(printable_from=request.printable_from, day=today):
        return Blocker(TOO_YOUNG, _("Belum 17 tahun; dapat dicetak mulai %(day)s.")
                       % {"day": f"{request.printable_from:%d-%m-%Y}"})
    if stock <= 0:
        return Blocker(NO_STOCK, _("Stok blanko habis."))
    if request.priority_tier > Tier.FIRST_TIME and stock - 1 < higher_waiting:
        return Blocker(RESERVED, _(
            "Dicadangkan untuk prioritas lebih tinggi: stok %(stock)s, %(waiting)s pemohon "
            "prioritas lebih tinggi menunggu.") % {"stock": number(stock),
                                                   "waiting": number(higher_waiting)})
    return None


# --- What staff may do to a request -------------------------------------------------------


class Action(enum.StrEnum):
    """What staff may do to a request: the last part of its action URL."""

    VERIFY = "verify"
    PRINT = "print"
    SPOIL = "spoil"
    SUKET = "suket"
    DELIVER = "deliver"
    DEFECT = "defect"
    REJECT = "reject"
    CANCEL = "cancel"

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses the action starts from."""
        return FROM_STATUSES[self]

    @property
    def stage(self) -> str:
        """The job it belongs to: "receive", "process", "send" or "close" (the detail
        page shows the actions of one job together)."""
        return STAGES[self]


# In the order the detail page shows them.
FROM_STATUSES: dict[Action, tuple[str, ...]] = {
    Action.VERIFY: (Status.SUBMITTED,),
    Action.PRINT: (Status.VERIFIED,),
    Action.SPOIL: (Status.VERIFIED,),
    Action.SUKET: (Status.VERIFIED,),
    Action.DELIVER: (Status.PRINTED,),
    # Before it is handed over: once delivered, the card is the holder's (a new request).
    Action.DEFECT: (Status.PRINTED,),
    Action.REJECT: (Status.SUBMITTED, Status.VERIFIED),
    Action.CANCEL: (Status.SUBMITTED, Status.VERIFIED),
}
STAGES: dict[Action, str] = {
    Action.VERIFY: "receive",
    Action.PRINT: "process", Action.SPOIL: "process", Action.SUKET: "process",
    Action.DELIVER: "send", Action.DEFECT: "send",
    Action.REJECT: "close", Action.CANCEL: "close",
}


def bad_state(request: ServiceRequest) -> ValidationError:
    """The refusal of an action that the request's status does not allow."""
    return ValidationError(
        _("Tindakan ini tidak dapat dilakukan: status permohonan %(number)s adalah "
          "%(status)s.") % {"number": request.registration_number,
                            "status": request.get_status_display()},
        code="bad_state",
    )


def state_refusal(action: Action, request: ServiceRequest) -> ValidationError | None:
    """Why the request's own state (its status, its biometrics) refuses `action`, or None."""
    if action == Action.DEFECT and request.status == Status.DELIVERED:
        return ValidationError(
            _("KTP-el %(reg)s sudah diserahkan kepada pemohon; kartu yang rusak setelah "
              "diserahkan diganti lewat permohonan baru jenis Rusak.")
            % {"reg": request.registration_number}, code="delivered")
    if request.status not in action.statuses:
        return bad_state(request)
    if action == Action.SUKET and not request.biometrics_recorded:
        return ValidationError(
            _("Suket hanya untuk pemohon yang biometriknya sudah direkam."),
            code="no_biometrics")
    return None


def blank_refusal(action: Action, blocker: Blocker | None) -> ValidationError | None:
    """Why the stock and the reservation rule refuse `action`, or None.

    `blocker` is why the request cannot take a blank now (`print_blocker`).
    """
    if action == Action.PRINT and blocker is not None:
        if blocker.code == NO_STOCK:
            return InsufficientStock(blocker.message)
        return ValidationError(blocker.message, code=blocker.code)
    if action == Action.SPOIL and blocker is not None and blocker.code != RESERVED:
        # A ruined print is a fact on the table: the reservation rule cannot refuse it;
        # an empty store and the age rule still do.
        if blocker.code == NO_STOCK:
            return InsufficientStock(blocker.message)
        return ValidationError(blocker.message, code=blocker.code)
    if action == Action.SUKET:
        # Only for an applicant who cannot get a blank now, and not because of age.
        if blocker is None:
            return ValidationError(
                _("Blanko tersedia untuk pemohon ini; cetak KTP-el, bukan suket."),
                code="blank_available")
        if blocker.code == TOO_YOUNG:
            return ValidationError(blocker.message, code=TOO_YOUNG)
    return None


def allowed_actions(request: ServiceRequest, blocker: Blocker | None) -> list[Action]:
    """What staff may do to `request` now, in the order the detail page shows them.

    `blocker` is why it cannot take a blank now (`selectors.request_blocker`); None for
    a request that is not verified. The services refuse the rest with the same rules.
    """
    return [action for action in Action
            if state_refusal(action, request) is None
            and blank_refusal(action, blocker) is None]
