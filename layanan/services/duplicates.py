"""Open requests for the same NIK and kind: what each channel may do about them.

The public form never tells whether a NIK already has an open request (issue 10,
finding 5): online, a second request for the same NIK and kind is registered like any
other and flagged for staff (`ServiceRequest.duplicate_of`). Staff are authorised to
know, so the counter names the open requests. Rules:

- Online: a duplicate is accepted, answered exactly as a fresh request, and flagged
  with the open request it duplicates (the oldest unflagged one, else the oldest).
- Counter: refused while another request is open, naming it; but when every open one
  is an unverified online request (no document has been checked: it is only a claim),
  the operator may cancel them and register the person in front of them
  (`supersede_online=True`), in any office. Each cancellation is an event by that
  operator naming the counter and the new registration number.
- Verifying: refused while any other request for the NIK and kind is open (flagged or
  not); staff reject or cancel the one that is not genuine first. A flagged duplicate
  whose original already produced a card is never verified. The database keeps one
  verified or printed request per NIK and kind (`request_one_in_process_per_nik_and_kind`),
  so a flagged duplicate can never take a blank beside another.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from layanan.models import ServiceRequest

Status = ServiceRequest.Status
SHOWN = 10  # numbers listed in one message; a flood of duplicates is cut short


def open_requests(*, nik: str, kind: str, exclude: int | None = None
                  ) -> QuerySet[ServiceRequest]:
    """Open requests for a NIK and kind in every office, oldest first."""
    found = ServiceRequest.objects.filter(
        nik=nik, kind=kind, status__in=ServiceRequest.OPEN_STATUSES,
    ).select_related("office").order_by("submitted_at", "id")
    return found.exclude(pk=exclude) if exclude is not None else found


def numbers(requests: list[ServiceRequest]) -> str:
    shown = ", ".join(f"{r.registration_number} ({r.office.name})" for r in requests[:SHOWN])
    return shown + (", …" if len(requests) > SHOWN else "")


def first_open(requests: list[ServiceRequest]) -> ServiceRequest:
    """The request a new online duplicate is flagged against."""
    return next((r for r in requests if r.duplicate_of_id is None), requests[0])


def only_unverified_online(requests: list[ServiceRequest]) -> bool:
    return all(r.channel == ServiceRequest.Channel.ONLINE and r.status == Status.SUBMITTED
               for r in requests)


def counter_refusal(requests: list[ServiceRequest]) -> ValidationError:
    """What the counter is told about the open requests (staff may know)."""
    if only_unverified_online(requests):
        message = _(
            "Masih ada permohonan terbuka untuk NIK ini dengan jenis yang sama: "
            "%(numbers)s. Permohonan daring itu belum diverifikasi: bila pemohonnya hadir "
            "di loket, centang «Batalkan permohonan daring yang belum diverifikasi» lalu "
            "daftarkan lagi."
        )
    else:
        message = _("Masih ada permohonan terbuka untuk NIK ini dengan jenis yang sama: "
                    "%(numbers)s.")
    return ValidationError({"nik": message % {"numbers": numbers(requests)}},
                           code="duplicate_open")


def verification_refusal(request: ServiceRequest) -> ValidationError | None:
    """Why `request` may not be verified because of another request, or None."""
    others = list(open_requests(nik=request.nik, kind=request.kind, exclude=request.pk))
    if others:
        return ValidationError(
            _("Masih ada permohonan terbuka lain untuk NIK ini dengan jenis yang sama: "
              "%(numbers)s. Tolak atau batalkan permohonan yang tidak sah terlebih dahulu.")
            % {"numbers": numbers(others)},
            code="duplicate_open",
        )
    original = request.duplicate_of
    if original is not None and original.status in (Status.PRINTED, Status.DELIVERED):
        return ValidationError(
            _("Permohonan ini diajukan saat permohonan %(number)s masih terbuka, dan "
              "permohonan itu sudah menghasilkan KTP-el. Tolak permohonan ini bila memang "
              "ganda.") % {"number": original.registration_number},
            code="duplicate_served",
        )
    return None
