"""Registering, verifying, delivering, rejecting and cancelling requests."""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.models import Office
from blanko.text import clean_text
from layanan import rules
from layanan.models import Counter, RequestEvent, ServiceRequest
from layanan.nik import parse_nik, validate_kk
from layanan.services import duplicates

logger = logging.getLogger("siblanko.layanan")

Status = ServiceRequest.Status
Kind = ServiceRequest.Kind
PROCESS = "layanan.process_request"

_PHONE = re.compile(r"^(?:\+62|62|0)8[1-9][0-9]{6,11}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
EMAIL_MAX_LENGTH = ServiceRequest._meta.get_field("email").max_length
KEY_REUSED = "submission_key_reused"


def clean_name(value: str) -> str:
    """A name as seen: control characters refused, invisible ones removed (NFKC).

    Zero-width and bidi characters come with pasted text and are dropped; a name made
    only of them is refused, as is one with a C0 or C1 control character.
    """
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"full_name": "Nama lengkap wajib diisi."}, code="required")
    if _NAME_CONTROL.search(name):
        raise ValidationError({"full_name": "Nama mengandung karakter yang tidak sah."},
                              code="invalid")
    name = clean_text(name)
    if not name:
        raise ValidationError(
            {"full_name": _("Nama lengkap hanya berisi karakter yang tidak terlihat.")},
            code="invisible",
        )
    if len(name) > 200:
        raise ValidationError(
            {"full_name": "Nama lengkap terlalu panjang (maksimal 200 karakter)."},
            code="max_length",
        )
    if not _is_written_name(name):
        raise ValidationError({"full_name": _(
            "Nama lengkap hanya boleh berisi huruf, spasi dan tanda . , ' - "
            "(tanpa angka atau simbol), dan harus ada hurufnya."
        )}, code="not_a_name")
    return name


_NAME_PUNCTUATION = frozenset(" .,'-`\u2019")


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
            {"phone": "Nomor HP tidak valid. Contoh: 0812 3456 7890 atau +62 812 3456 7890."},
            code="invalid",
        )
    return "0" + phone.removeprefix("+62").removeprefix("62").removeprefix("0")


def clean_email(value: str) -> str:
    email = clean_text(value)  # pasted addresses bring zero-width characters along
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": "Alamat email tidak valid."}) from None
        if len(email) > EMAIL_MAX_LENGTH:  # the column's limit; the validator allows 320
            raise ValidationError({"email": "Alamat email tidak valid."})
    return email


def clean_reason(value: str, *, label: str = "Alasan", field: str = "reason",
                 required_message: str = "") -> str:
    """One line of free text for an event note: no control characters, at most 500.

    With `required_message`, an empty value is refused with that message.
    """
    reason = " ".join((value or "").split())
    if required_message and not reason:
        raise ValidationError({field: required_message}, code="required")
    if len(reason) > 500:
        raise ValidationError({field: f"{label} terlalu panjang (maksimal 500 karakter)."},
                              code="max_length")
    if _CONTROL.search(reason):
        raise ValidationError({field: f"{label} mengandung karakter yang tidak sah."},
                              code="invalid")
    return reason


def next_number(*, office: Office, name: str, period: str) -> int:
    """The next value of a per-office sequence; the row lock keeps it gap-free."""
    counter, _ = Counter.objects.get_or_create(office=office, name=name, period=period)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def record_event(*, request: ServiceRequest, from_status: str, to_status: str, by,
                 at: datetime.datetime, note: str = "") -> RequestEvent:
    logger.info(
        "request id=%s reg=%s office=%s %s->%s user=%s", request.pk,
        request.registration_number, request.office.code, from_status or "-", to_status,
        getattr(by, "username", "warga"),
    )
    return RequestEvent.objects.create(request=request, from_status=from_status,
                                       to_status=to_status, by=by, at=at, note=note[:500])


def _eligibility(*, kind: str, birth_date: datetime.date, married: bool,
                 today: datetime.date) -> datetime.date | None:
    """Checks age rules and returns the date from which the card may be printed."""
    birthday = rules.seventeenth_birthday(birth_date)
    if married or birthday <= today:
        return None
    if kind != Kind.NEW:
        raise ValidationError(
            {"kind": "Pemohon belum berusia 17 tahun dan belum kawin, sehingga belum pernah "
                     "memiliki KTP-el; ajukan sebagai permohonan baru."},
            code="too_young",
        )
    earliest = rules.earliest_registration(birth_date)
    if today < earliest:
        raise ValidationError(
            {"nik": f"Pemohon baru berusia 17 tahun pada {birthday:%d-%m-%Y}. Permohonan dapat "
                    f"diajukan paling cepat {earliest:%d-%m-%Y}."},
            code="too_young",
        )
    return birthday


def submit_request(
    *, office: Office, nik: str, full_name: str, kind: str, channel: str, by=None,
    married: bool = False, phone: str = "", email: str = "", kk_number: str = "",
    disaster_victim: bool = False, replaces_suket: bool = False,
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
    if channel == ServiceRequest.Channel.COUNTER:
        if by is None:  # a counter request is always registered by a signed-in operator
            raise PermissionDenied("Pendaftaran di loket harus dilakukan oleh petugas.")
        ensure_permission(by, "layanan.register_request", office)
    elif channel != ServiceRequest.Channel.ONLINE:
        raise ValidationError({"channel": "Saluran permohonan tidak dikenal."})
    at = at or timezone.now()
    today = timezone.localdate(at)
    errors: dict[str, list] = {}

    def check(field_cleaner, field: str):
        try:
            return field_cleaner()
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {field: error.messages}
            for name, messages in found.items():
                errors.setdefault(name, []).extend(messages)
            return None

    info = check(lambda: parse_nik(nik, today=today), "nik")
    name = check(lambda: clean_name(full_name), "full_name")
    phone = check(lambda: clean_phone(phone), "phone")
    email = check(lambda: clean_email(email), "email")
    kk = check(lambda: validate_kk(kk_number) if kk_number else "", "kk_number")
    if kind not in Kind.values:
        errors.setdefault("kind", []).append("Pilih jenis permohonan yang valid.")
    police_report_number = (police_report_number or "").strip()
    if _CONTROL.search(police_report_number):
        errors.setdefault("police_report_number", []).append(
            "Nomor surat mengandung karakter yang tidak sah.")
    if kind == Kind.LOST and not police_report_number:
        errors.setdefault("police_report_number", []).append(
            "Permohonan KTP-el hilang wajib menyertakan nomor surat kehilangan dari kepolisian."
        )
    if len(police_report_number) > 100:
        errors.setdefault("police_report_number", []).append("Nomor surat terlalu panjang.")
    printable = None
    if info is not None and kind in Kind.values:
        printable = check(lambda: _eligibility(kind=kind, birth_date=info.birth_date,
                                               married=married, today=today), "nik")
    if errors:
        raise ValidationError(errors)
    typed = {
        "office_id": office.pk, "channel": channel, "nik": info.nik, "kind": kind,
        "full_name": name, "married": bool(married), "phone": phone, "email": email,
        "kk_number": kk, "disaster_victim": bool(disaster_victim),
        "replaces_suket": bool(replaces_suket), "police_report_number": police_report_number,
    }
    # A twin of this form may commit at any moment: whatever the database refuses is
    # looked at again from the start, outside the failed transaction. The second look
    # finds the twin by its key, or the new open request to flag or to report.
    for _attempt in range(3):
        if submission_key:
            replayed = _replayed(submission_key, typed)
            if replayed is not None:
                return replayed
        others = list(duplicates.open_requests(nik=info.nik, kind=kind))
        if submission_key and any(o.submission_key == submission_key for o in others):
            # The twin committed after the key was looked up: it is this form's request.
            return _replayed(submission_key, typed)
        duplicate_of, superseded = None, []
        if others and channel == ServiceRequest.Channel.ONLINE:
            duplicate_of = duplicates.first_open(others)
        elif others and supersede_online and duplicates.only_unverified_online(others):
            superseded = others
        elif others:
            raise duplicates.counter_refusal(others)
        try:
            return _register(
                typed=typed, office=office, birth_date=info.birth_date, sex=info.sex,
                printable=printable, submission_key=submission_key, duplicate_of=duplicate_of,
                superseded=superseded, by=by, at=at,
            )
        except IntegrityError:
            continue
    raise ValidationError(_("Permohonan belum dapat didaftarkan karena sedang diproses "
                            "bersamaan. Silakan kirim lagi."), code="busy")


def _replayed(submission_key: str, typed: dict) -> ServiceRequest | None:
    """The request this form already registered, or None; the key with other data is refused."""
    existing = ServiceRequest.objects.filter(submission_key=submission_key).first()
    if existing is None:
        return None
    if any(getattr(existing, field) != value for field, value in typed.items()):
        raise ValidationError(
            _("Formulir ini sudah pernah dikirim dengan data yang berbeda. Periksa isian, "
              "lalu kirim lagi sebagai permohonan baru."),
            code=KEY_REUSED,
        )
    return existing


def _register(*, typed: dict, office: Office, birth_date: datetime.date, sex: str,
              printable: datetime.date | None, submission_key: str | None,
              duplicate_of: ServiceRequest | None, superseded: list[ServiceRequest], by,
              at: datetime.datetime) -> ServiceRequest:
    """Writes the request (and cancels the online ones it supersedes) in one transaction."""
    channel = typed["channel"]
    note = str(dict(ServiceRequest.Channel.choices)[channel])
    with transaction.atomic():
        today = timezone.localdate(at)
        sequence = next_number(office=office, name="REG", period=f"{today:%y%m%d}")
        number = f"{office.code}-{today:%y%m%d}-{sequence:04d}"
        if superseded:
            cancelled = _supersede(superseded, office=office, number=number, by=by, at=at)
            note = _("%(channel)s · menggantikan permohonan daring %(numbers)s") % {
                "channel": note, "numbers": ", ".join(cancelled)}
        request = ServiceRequest.objects.create(
            **typed, office=office, registration_number=number, birth_date=birth_date,
            sex=sex, priority_tier=rules.priority_tier(
                kind=typed["kind"], disaster_victim=typed["disaster_victim"],
                replaces_suket=typed["replaces_suket"]),
            printable_from=printable, submission_key=submission_key or None,
            duplicate_of=duplicate_of, submitted_at=at, created_by=by,
        )
        record_event(request=request, from_status="", to_status=Status.SUBMITTED, by=by,
                     at=at, note=note)
    return request


def _supersede(requests: list[ServiceRequest], *, office: Office, number: str, by,
               at: datetime.datetime) -> list[str]:
    """Cancels unverified online requests for the person registered at the counter."""
    note = _("Dibatalkan saat pemohon didaftarkan di loket %(office)s (%(number)s).") % {
        "office": office.name, "number": number}
    cancelled = []
    for other in requests:
        locked = lock_request(other, allowed=(Status.SUBMITTED,))
        if locked.channel != ServiceRequest.Channel.ONLINE:  # cannot change; checked anyway
            raise duplicates.counter_refusal([locked])
        transition(request=locked, to=Status.CANCELLED, by=by, at=at, note=note,
                   closed_at=at)
        cancelled.append(locked.registration_number)
    return cancelled


def lock_request(request: ServiceRequest, *, allowed: tuple[str, ...]) -> ServiceRequest:
    """Re-reads the request under a row lock and checks its state.

    Only the request row is locked (`of=("self",)`): locking the joined office row too
    would block every insert that refers to the office (a delivery, a new request, an
    access-log row) and deadlock with a receipt that already holds the stock row.
    """
    locked = ServiceRequest.objects.select_for_update(of=("self",)).select_related(
        "office"
    ).get(pk=request.pk)
    if locked.status not in allowed:
        raise ValidationError(
            f"Tindakan ini tidak dapat dilakukan: status permohonan "
            f"{locked.registration_number} adalah {locked.get_status_display()}.",
            code="bad_state",
        )
    return locked


def transition(*, request: ServiceRequest, to: str, by, at: datetime.datetime,
               note: str = "", **fields) -> ServiceRequest:
    from_status = request.status
    request.status = to
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *fields])
    record_event(request=request, from_status=from_status, to_status=to, by=by, at=at,
                 note=note)
    return request


def verify_request(
    *, request: ServiceRequest, by, documents: dict[str, bool] | None = None,
    biometrics_recorded: bool = False, note: str = "", at: datetime.datetime | None = None,
) -> ServiceRequest:
    """Receiving: documents and data checked; the record becomes print-ready."""
    ensure_permission(by, PROCESS, request.office)
    note = clean_reason(note, label="Catatan", field="note")
    at = at or timezone.now()
    documents = {key: bool(value) for key, value in (documents or {}).items()
                 if key in rules.DOCUMENTS}
    missing = [str(rules.DOCUMENTS[key]) for key in rules.required_documents(request.kind)
               if not documents.get(key)]
    if missing:
        raise ValidationError(
            {"documents": "Dokumen belum lengkap: " + ", ".join(missing) + "."},
            code="documents_missing",
        )
    try:
        with transaction.atomic():
            locked = lock_request(request, allowed=(Status.SUBMITTED,))
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


def deliver_request(*, request: ServiceRequest, by, note: str = "",
                    at: datetime.datetime | None = None) -> ServiceRequest:
    """Sending: the printed card is handed over or sent."""
    ensure_permission(by, PROCESS, request.office)
    note = clean_reason(note, label="Catatan", field="note")
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, allowed=(Status.PRINTED,))
        return transition(request=locked, to=Status.DELIVERED, by=by, at=at, note=note,
                          delivered_at=at, closed_at=at)


def reject_request(*, request: ServiceRequest, by, reason: str,
                   at: datetime.datetime | None = None) -> ServiceRequest:
    ensure_permission(by, PROCESS, request.office)
    reason = clean_reason(reason, required_message="Alasan penolakan wajib diisi.")
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, allowed=(Status.SUBMITTED, Status.VERIFIED))
        return transition(request=locked, to=Status.REJECTED, by=by, at=at, note=reason,
                          rejection_reason=reason, closed_at=at)


def cancel_request(*, request: ServiceRequest, by, reason: str = "",
                   at: datetime.datetime | None = None) -> ServiceRequest:
    ensure_permission(by, PROCESS, request.office)
    reason = clean_reason(reason)
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_request(request, allowed=(Status.SUBMITTED, Status.VERIFIED))
        return transition(request=locked, to=Status.CANCELLED, by=by, at=at, note=reason,
                          closed_at=at)
