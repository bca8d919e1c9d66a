"""Registering, verifying, delivering, rejecting and cancelling requests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.models import Office
from layanan import rules
from layanan.models import ServiceRequest
from layanan.nik import NikInfo, parse_nik, validate_kk
from layanan.services import duplicates
from layanan.services.fields import (
    clean_email,
    clean_name,
    clean_phone,
    clean_police_report,
    clean_reason,
)
from layanan.services.workflow import (
    PROCESS,
    lock_request,
    locked_request,
    next_number,
    record_event,
    transition,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractUser

Status = ServiceRequest.Status
Kind = ServiceRequest.Kind
Channel = ServiceRequest.Channel
Action = rules.Action
KEY_REUSED = "submission_key_reused"


def submit_request(
    *, office: Office, nik: str, full_name: str, kind: str, channel: str,
    by: AbstractUser | None = None, married: bool = False, phone: str = "", email: str = "",
    kk_number: str = "", disaster_victim: bool = False, replaces_suket: bool = False,
    police_report_number: str = "", submission_key: str | None = None,
    supersede_online: bool = False, at: datetime.datetime | None = None,
) -> ServiceRequest:
    """Registers a request at the counter (by an operator) or online (by=None).

    Resubmitting the same form (same submission_key and data) returns the first
    request; the key with other data, another office or channel is refused. Online, a
    NIK and kind with an open request is accepted and flagged for staff; at the
    counter it is refused, unless every open one is an unverified online request and
    `supersede_online` cancels them (see `layanan.services.duplicates`).
    """
    _ensure_channel(office=office, channel=channel, by=by)
    at = at or timezone.now()
    form = _checked_form(
        today=timezone.localdate(at), office=office, channel=channel, nik=nik,
        full_name=full_name, kind=kind, married=married, phone=phone, email=email,
        kk_number=kk_number, disaster_victim=disaster_victim, replaces_suket=replaces_suket,
        police_report_number=police_report_number,
    )
    return _register_once(form, office=office, submission_key=submission_key,
                          supersede_online=supersede_online, by=by, at=at)


def _ensure_channel(*, office: Office, channel: str, by: AbstractUser | None) -> None:
    if channel == Channel.COUNTER:
        if by is None:  # a counter request is always registered by a signed-in operator
            raise PermissionDenied(_("Pendaftaran di loket harus dilakukan oleh petugas."))
        ensure_permission(by, "layanan.register_request", office)
    elif channel != Channel.ONLINE:
        raise ValidationError({"channel": _("Saluran permohonan tidak dikenal.")})


@dataclass(frozen=True)
class _Form:
    """A checked form: the row's typed fields, and what the NIK and the age rule say."""

    typed: dict[str, Any]  # compared field by field when the form is sent again
    info: NikInfo
    printable_from: datetime.date | None


class _Errors:
    """The refusals of every field, collected so that the form shows them all at once."""

    def __init__(self) -> None:
        self.found: dict[str, list] = {}

    def collect(self, field: str, check: Callable[[], Any]) -> Any:
        """The value `check` returns, or None when it refuses (the refusal is kept)."""
        try:
            return check()
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {
                field: error.messages}
            for name, messages in found.items():
                self.found.setdefault(name, []).extend(messages)
            return None

    def add(self, field: str, message: str) -> None:
        self.found.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)


def _checked_form(*, today: datetime.date, office: Office, channel: str, nik: str,
                  full_name: str, kind: str, married: bool, phone: str, email: str,
                  kk_number: str, disaster_victim: bool, replaces_suket: bool,
                  police_report_number: str) -> _Form:
    """Every field checked at once; raises one ValidationError with all the refusals."""
    errors = _Errors()
    info = errors.collect("nik", lambda: parse_nik(nik, today=today))
    name = errors.collect("full_name", lambda: clean_name(full_name))
    phone = errors.collect("phone", lambda: clean_phone(phone))
    email = errors.collect("email", lambda: clean_email(email))
    kk = errors.collect("kk_number", lambda: validate_kk(kk_number) if kk_number else "")
    if kind not in Kind.values:
        errors.add("kind", _("Pilih jenis permohonan yang valid."))
    police = errors.collect("police_report_number",
                            lambda: clean_police_report(police_report_number, kind=kind))
    printable = None
    if info is not None and kind in Kind.values:
        printable = errors.collect("nik", lambda: rules.check_eligibility(
            kind=kind, birth_date=info.birth_date, married=married, today=today))
    errors.raise_any()
    typed = {
        "office_id": office.pk, "channel": channel, "nik": info.nik, "kind": kind,
        "full_name": name, "married": bool(married), "phone": phone, "email": email,
        "kk_number": kk, "disaster_victim": bool(disaster_victim),
        "replaces_suket": bool(replaces_suket), "police_report_number": police,
    }
    return _Form(typed=typed, info=info, printable_from=printable)


def _register_once(form: _Form, *, office: Office, submission_key: str | None,
                   supersede_online: bool, by: AbstractUser | None,
                   at: datetime.datetime) -> ServiceRequest:
    """Registers the form once, whatever twin of it commits meanwhile.

    A twin of this form may commit at any moment: whatever the database refuses is
    looked at again from the start, outside the failed transaction. The second look
    finds the twin by its key, or the new open request to flag or to report.
    """
    for _attempt in range(3):
        if submission_key:
            replayed = _replayed(submission_key, form.typed)
            if replayed is not None:
                return replayed
        others = list(duplicates.open_requests(nik=form.info.nik, kind=form.typed["kind"]))
        if submission_key and any(o.submission_key == submission_key for o in others):
            # The twin committed after the key was looked up: it is this form's request.
            return _replayed(submission_key, form.typed)
        duplicate_of, superseded = _open_duplicates(
            others, channel=form.typed["channel"], supersede_online=supersede_online)
        try:
            return _register(form, office=office, submission_key=submission_key,
                             duplicate_of=duplicate_of, superseded=superseded, by=by, at=at)
        except IntegrityError:
            continue
    raise ValidationError(_("Permohonan belum dapat didaftarkan karena sedang diproses "
                            "bersamaan. Silakan kirim lagi."), code="busy")


def _open_duplicates(others: list[ServiceRequest], *, channel: str, supersede_online: bool
                     ) -> tuple[ServiceRequest | None, list[ServiceRequest]]:
    """What the open requests for the same NIK and kind mean for a new one: the request
    it is flagged against (online), the ones it supersedes (counter), or a refusal."""
    if not others:
        return None, []
    if channel == Channel.ONLINE:
        return duplicates.first_open(others), []
    if supersede_online and duplicates.only_unverified_online(others):
        return None, others
    raise duplicates.counter_refusal(others)


def _replayed(submission_key: str, typed: dict) -> ServiceRequest | None:
    """The request this form already registered, or None; the key with other data is refused."""
    existing = ServiceRequest.objects.filter(submission_key=submission_key).first()
    if existing is None:
        return None
    if any(_differs(existing, field, value) for field, value in typed.items()):
        raise ValidationError(
            _("Formulir ini sudah pernah dikirim dengan data yang berbeda. Periksa isian, "
              "lalu kirim lagi sebagai permohonan baru."),
            code=KEY_REUSED,
        )
    return existing


def _differs(existing: ServiceRequest, field: str, value: Any) -> bool:
    """Whether the form's `value` differs from what the request registered."""
    if field == "replaces_suket" and existing.replaces_suket and not value:
        # issue_suket sets the flag of a tier-4 request after registration: the form
        # sent again said what was true when it was filled in.
        return not existing.sukets.exists()
    return getattr(existing, field) != value


def _register(form: _Form, *, office: Office, submission_key: str | None,
              duplicate_of: ServiceRequest | None, superseded: list[ServiceRequest],
              by: AbstractUser | None, at: datetime.datetime) -> ServiceRequest:
    """Writes the request (and cancels the online ones it supersedes) in one transaction."""
    typed = form.typed
    note = str(Channel(typed["channel"]).label)
    with transaction.atomic():
        today = timezone.localdate(at)
        sequence = next_number(office=office, name="REG", period=f"{today:%y%m%d}")
        number = f"{office.code}-{today:%y%m%d}-{sequence:04d}"
        if superseded:
            cancelled = _supersede(superseded, office=office, number=number, by=by, at=at)
            note = _("%(channel)s · menggantikan permohonan daring %(numbers)s") % {
                "channel": note, "numbers": ", ".join(cancelled)}
        request = ServiceRequest.objects.create(
            **typed, office=office, registration_number=number,
            birth_date=form.info.birth_date, sex=form.info.sex,
            priority_tier=rules.priority_tier(
                kind=typed["kind"], disaster_victim=typed["disaster_victim"],
                replaces_suket=typed["replaces_suket"]),
            printable_from=form.printable_from, submission_key=submission_key or None,
            duplicate_of=duplicate_of, submitted_at=at, created_by=by,
        )
        record_event(request=request, from_status="", to_status=Status.SUBMITTED, by=by,
                     at=at, note=note)
    return request


def _supersede(requests: list[ServiceRequest], *, office: Office, number: str,
               by: AbstractUser | None, at: datetime.datetime) -> list[str]:
    """Cancels unverified online requests for the person registered at the counter."""
    note = _("Dibatalkan saat pemohon didaftarkan di loket %(office)s (%(number)s).") % {
        "office": office.name, "number": number}
    cancelled = []
    for other in requests:
        locked = locked_request(other)
        if locked.status != Status.SUBMITTED:  # verified meanwhile: documents were checked
            raise rules.bad_state(locked)
        if locked.channel != Channel.ONLINE:  # cannot change; checked anyway
            raise duplicates.counter_refusal([locked])
        transition(request=locked, to=Status.CANCELLED, by=by, at=at, note=note,
                   closed_at=at)
        cancelled.append(locked.registration_number)
    return cancelled


def verify_request(
    *, request: ServiceRequest, by: AbstractUser, documents: dict[str, bool] | None = None,
    biometrics_recorded: bool = False, note: str = "", at: datetime.datetime | None = None,
) -> ServiceRequest:
    """Receiving: documents and data checked; the record becomes print-ready."""
    ensure_permission(by, PROCESS, request.office)
    note = clean_reason(note, label=_("Catatan"), field="note")
    at = at or timezone.now()
    documents = {key: bool(value) for key, value in (documents or {}).items()
                 if key in rules.DOCUMENTS}
    missing = [str(rules.DOCUMENTS[key]) for key in rules.required_documents(request.kind)
               if not documents.get(key)]
    if missing:
        raise ValidationError(
            {"documents": _("Dokumen belum lengkap: %(documents)s.")
             % {"documents": ", ".join(missing)}},
            code="documents_missing",
        )
    try:
        with transaction.atomic():
            locked = lock_request(request, action=Action.VERIFY)
            refusal = duplicates.verification_refusal(locked)
            if refusal is not None:
                raise refusal
            return transition(request=locked, to=Status.VERIFIED, by=by, at=at, note=note,
                              documents=documents, biometrics_recorded=biometrics_recorded,
                              verified_at=at)
    except IntegrityError:
        # Another request for the NIK and kind was verified meanwhile (one per NIK and
        # kind on its way to a card, in the database).
        raise (duplicates.verification_refusal(request) or ValidationError(
            _("Permohonan lain untuk NIK ini sedang diverifikasi. Silakan coba lagi."),
            code="busy")) from None


def deliver_request(*, request: ServiceRequest, by: AbstractUser, note: str = "",
                    at: datetime.datetime | None = None) -> ServiceRequest:
    """Sending: the printed card is handed over or sent."""
    ensure_permission(by, PROCESS, request.office)
    note = clean_reason(note, label=_("Catatan"), field="note")
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, action=Action.DELIVER)
        return transition(request=locked, to=Status.DELIVERED, by=by, at=at, note=note,
                          delivered_at=at, closed_at=at)


def reject_request(*, request: ServiceRequest, by: AbstractUser, reason: str,
                   at: datetime.datetime | None = None) -> ServiceRequest:
    ensure_permission(by, PROCESS, request.office)
    reason = clean_reason(reason, required_message=_("Alasan penolakan wajib diisi."))
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, action=Action.REJECT)
        return transition(request=locked, to=Status.REJECTED, by=by, at=at, note=reason,
                          rejection_reason=reason, closed_at=at)


def cancel_request(*, request: ServiceRequest, by: AbstractUser, reason: str = "",
                   at: datetime.datetime | None = None) -> ServiceRequest:
    ensure_permission(by, PROCESS, request.office)
    reason = clean_reason(reason)
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, action=Action.CANCEL)
        return transition(request=locked, to=Status.CANCELLED, by=by, at=at, note=reason,
                          closed_at=at)
