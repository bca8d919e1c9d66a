"""Closing a month: the office's period lock date."""

from __future__ import annotations

import datetime
import functools
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.models import MonthClose, Office
from blanko.services.checks import duplicate_refused
from blanko.services.locks import lock_office_balances
from blanko.services.posting import EKTP_START, month_start, period_lock_date, today

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger("siblanko.ledger")


def _already_closed(first: datetime.date) -> ValidationError:
    return ValidationError({"month": _("Bulan %(month)s sudah ditutup.")
                            % {"month": f"{first:%m/%Y}"}}, code="closed")


def _refuse_locked_month(*, office: Office, first: datetime.date) -> None:
    """Refuses to close a month on or before the office's period lock date."""
    lock_date = period_lock_date(office=office)
    if lock_date is None or lock_date < first:
        return
    if MonthClose.objects.filter(office=office, month=first).exists():
        raise _already_closed(first)
    raise ValidationError(
        {"month": _("Bulan %(month)s sudah terkunci: bulan %(latest)s sudah ditutup, dan "
                    "penutupan bulan terakhir mengunci semua tanggal sebelumnya.")
         % {"month": f"{first:%m/%Y}", "latest": f"{lock_date:%m/%Y}"}},
        code="locked",
    )


def _refuse_unclosable(first: datetime.date) -> None:
    """Refuses a month that has not ended, or one before e-KTP began."""
    if first >= month_start(today()):
        raise ValidationError(
            {"month": _("Hanya bulan yang sudah berakhir yang dapat ditutup.")},
            code="not_ended",
        )
    if first < month_start(EKTP_START):
        raise ValidationError(
            {"month": _("Bulan sebelum %(start)s tidak dapat ditutup: KTP-el belum ada.")
             % {"start": date_format(EKTP_START, "F Y")}},
            code="before_ektp",
        )


def close_month(*, office: Office, month: datetime.date, by: AbstractUser) -> MonthClose:
    """Closes a finished month: no movement may be dated on or before its last day.

    The latest closed month is the office's period lock date (see
    posting.validate_business_date), so closing an earlier month afterwards is
    refused: it is locked already.
    """
    ensure_permission(by, "blanko.close_month", office)
    first = month_start(month)
    _refuse_unclosable(first)
    _refuse_locked_month(office=office, first=first)
    def closed() -> bool:
        return MonthClose.objects.filter(office=office, month=first).exists()

    with duplicate_refused(closed, _already_closed(first)), transaction.atomic():
        # The same locks a posting takes: no back-dated movement slips in meanwhile,
        # and a concurrent close of a later month has committed or waits.
        lock_office_balances(office)
        _refuse_locked_month(office=office, first=first)
        closure = MonthClose.objects.create(office=office, month=first, closed_by=by)
        transaction.on_commit(functools.partial(
            logger.info, "month_close office=%s month=%s user=%s", office.code,
            f"{first:%Y-%m}", by.get_username()))
    return closure
