"""Province rebalancing: loans between the offices of a province, proposed by its
coordinator and opened by the lender.

The coordinator sends a proposal (`propose_rebalancing`) that both offices see; the
lender's Supervisor or Administrator approves it ("Setujui", `accept_rebalancing`),
which opens the loan through `lend_to_office` with the proposal's number as the letter,
in the same transaction, or declines it with a reason (`decline_rebalancing`). The
loan gets no due date: no loan form or service suggests a default term, so the lender
sets one on its loans page if it wants one. The coordinator may
withdraw it while it waits (`cancel_rebalancing`). The plan that suggests the proposals
is layanan.supervision.rebalancing; these services take any proposal the coordinator
sends and check every rule themselves.

Lock order: the proposal row, then the balances `lend_to_office` moves.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blanko.access import ensure_permission
from blanko.formatting import number
from blanko.models import Loan, Movement, Office, RebalancingProposal
from blanko.selectors import stock_on_hand
from blanko.services.checks import clean_line, clean_note, duplicate_refused, validate_quantity
from blanko.services.loans import lend_to_office

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

PERM_PROPOSE = "blanko.propose_rebalancing"
PERM_DECIDE = "blanko.manage_loan"  # the lender's, as for any loan it sends
Status = RebalancingProposal.Status
UNIT = RebalancingProposal.UNIT
# The loan's note, read by both offices: in the site's language, not the lender's.
LOAN_NOTE = "Pemerataan provinsi"


def _next_number(province: str, year: int) -> str:
    """The province's next proposal number in `year` (its offices' rows are locked)."""
    prefix = f"RB/{province}/{year}/"
    taken = RebalancingProposal.objects.filter(number__startswith=prefix)
    last = max((int(value.rsplit("/", 1)[1]) for value in
                taken.values_list("number", flat=True)), default=0)
    return f"{prefix}{last + 1:04d}"


def _validate_offices(lender: Office, borrower: Office) -> None:
    if lender.pk == borrower.pk:
        raise ValidationError(
            {"borrower": _("Kantor peminjam harus berbeda dari pemberi pinjaman.")},
            code="same_office")
    if lender.is_central or borrower.is_central:
        raise ValidationError(_("Gudang pusat tidak ikut pemerataan provinsi."),
                              code="central")
    if lender.province_code != borrower.province_code:
        raise ValidationError(
            _("%(lender)s dan %(borrower)s tidak berada di provinsi yang sama.")
            % {"lender": lender.name, "borrower": borrower.name}, code="other_province")


def _validate_quantity(quantity: int) -> int:
    validate_quantity(quantity)
    if quantity % UNIT:
        raise ValidationError(
            {"quantity": _("Jumlah usulan harus kelipatan %(unit)s blanko.") % {"unit": UNIT}},
            code="not_whole_hundreds")
    return quantity


def _duplicate(lender: Office, borrower: Office) -> ValidationError:
    return ValidationError(
        _("Usulan pinjaman dari %(lender)s ke %(borrower)s masih menunggu keputusan; "
          "tunggu keputusannya atau batalkan usulan itu dulu.")
        % {"lender": lender.name, "borrower": borrower.name}, code="already_proposed")


def _refuse_crossing_or_overcommitted(*, lender: Office, borrower: Office, quantity: int,
                                      stock: int) -> None:
    """Under the province's lock: no loan both ways at once, and the lender's waiting
    proposals together stay within its stock (each acceptance checks the stock again,
    but a lender asked for more than it holds can only refuse the later ones)."""
    waiting = RebalancingProposal.objects.filter(status=Status.PROPOSED)
    if waiting.filter(lender=borrower, borrower=lender).exists():
        raise ValidationError(
            _("Usulan pinjaman dari %(borrower)s ke %(lender)s masih menunggu; batalkan "
              "usulan itu dulu sebelum mengusulkan arah sebaliknya.")
            % {"lender": lender.name, "borrower": borrower.name}, code="crossing")
    promised = sum(waiting.filter(lender=lender).values_list("quantity", flat=True))
    if promised + quantity > stock:
        raise ValidationError(
            {"quantity": _("Usulan yang masih menunggu dari %(lender)s sudah %(promised)s "
                           "blanko; ditambah usulan ini (%(quantity)s) melebihi stoknya "
                           "(%(stock)s).")
             % {"lender": lender.name, "promised": number(promised),
                "quantity": number(quantity), "stock": number(stock)}},
            code="over_committed")


def propose_rebalancing(*, lender: Office, borrower: Office, quantity: int, by: AbstractUser,
                        note: str = "") -> RebalancingProposal:
    """The province coordinator proposes that `lender` lends `quantity` blanks to
    `borrower`, both offices of its province. Nothing moves until the lender accepts."""
    ensure_permission(by, PERM_PROPOSE, lender)
    ensure_permission(by, PERM_PROPOSE, borrower)
    _validate_offices(lender, borrower)
    _validate_quantity(quantity)
    note = clean_note(note)
    stock = stock_on_hand(office=lender)
    if quantity > stock:
        raise ValidationError(
            {"quantity": _("%(lender)s hanya memiliki %(stock)s blanko; usulan %(quantity)s "
                           "blanko melebihinya.")
             % {"lender": lender.name, "stock": number(stock), "quantity": number(quantity)}},
            code="more_than_stock")

    def taken() -> bool:
        return RebalancingProposal.objects.filter(
            lender=lender, borrower=borrower, status=Status.PROPOSED).exists()

    duplicate = _duplicate(lender, borrower)
    now = timezone.now()
    with duplicate_refused(taken, duplicate), transaction.atomic():
        # The province's office rows number its proposals one after the other.
        province = lender.province_code
        list(Office.objects.select_for_update().filter(code__startswith=province)
             .order_by("pk").values("pk"))
        if taken():
            raise duplicate
        _refuse_crossing_or_overcommitted(lender=lender, borrower=borrower,
                                          quantity=quantity, stock=stock)
        return RebalancingProposal.objects.create(
            number=_next_number(province, timezone.localdate(now).year), lender=lender,
            borrower=borrower, quantity=quantity, note=note, proposed_by=by, created_at=now)


def _lock(proposal: RebalancingProposal) -> RebalancingProposal:
    return RebalancingProposal.objects.select_for_update().select_related(
        "lender", "borrower").get(pk=proposal.pk)


def _require_proposed(proposal: RebalancingProposal, action: str) -> None:
    if proposal.status != Status.PROPOSED:
        raise ValidationError(
            _("Usulan %(number)s berstatus \"%(status)s\"; tidak dapat %(action)s.")
            % {"number": proposal.number, "status": proposal.get_status_display(),
               "action": action}, code="wrong_status")


def _decide(proposal: RebalancingProposal, *, status: str, by: AbstractUser,
            fields: dict) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", "decided_by", "decided_at", *fields])


def _accepted_under(proposal: RebalancingProposal, idempotency_key: str | None,
                    by: AbstractUser) -> bool:
    """Whether the proposal's loan was opened under this key by this user: the same form
    sent again (a key replayed by someone else is no replay of theirs)."""
    return bool(idempotency_key) and proposal.loan_id is not None and Movement.objects.filter(
        idempotency_key=idempotency_key, loan_id=proposal.loan_id, recorded_by=by).exists()


def accept_rebalancing(*, proposal: RebalancingProposal, by: AbstractUser,
                       idempotency_key: str | None = None,
                       occurred_on: datetime.date | None = None) -> Loan:
    """The lender accepts: the loan opens (lend_to_office, the proposal's number as the
    letter) and the blanks leave its store for TRANSIT until the borrower confirms
    receipt. A form sent twice with the same key answers with the same loan."""
    ensure_permission(by, PERM_DECIDE, proposal.lender)
    with transaction.atomic():
        proposal = _lock(proposal)
        # A second click waits here for the first, then finds it accepted.
        if proposal.status == Status.ACCEPTED and _accepted_under(proposal, idempotency_key, by):
            return proposal.loan
        _require_proposed(proposal, _("disetujui"))
        loan = lend_to_office(
            lender=proposal.lender, borrower=proposal.borrower, quantity=proposal.quantity,
            reference=proposal.number, by=by, occurred_on=occurred_on,
            note=LOAN_NOTE, idempotency_key=idempotency_key)
        _decide(proposal, status=Status.ACCEPTED, by=by, fields={"loan": loan})
    return loan


def decline_rebalancing(*, proposal: RebalancingProposal, by: AbstractUser,
                        reason: str) -> RebalancingProposal:
    """The lender declines, with a reason the coordinator reads."""
    ensure_permission(by, PERM_DECIDE, proposal.lender)
    reason = clean_line(reason, field="reason", label=_("Alasan penolakan"))
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasan penolakan.")}, code="required")
    with transaction.atomic():
        proposal = _lock(proposal)
        _require_proposed(proposal, _("ditolak"))
        _decide(proposal, status=Status.DECLINED, by=by, fields={"decline_reason": reason})
    return proposal


def cancel_rebalancing(*, proposal: RebalancingProposal,
                       by: AbstractUser) -> RebalancingProposal:
    """The coordinator withdraws a proposal still waiting for the lender."""
    ensure_permission(by, PERM_PROPOSE, proposal.lender)
    with transaction.atomic():
        proposal = _lock(proposal)
        _require_proposed(proposal, _("dibatalkan"))
        _decide(proposal, status=Status.CANCELLED, by=by, fields={})
    return proposal
