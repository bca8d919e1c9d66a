"""Reads of the province's rebalancing proposals (blanko.services.rebalancing writes them)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from blanko.models import Office, RebalancingProposal
from blanko.selectors.movements import office_movements

Status = RebalancingProposal.Status

# A pair the lender declined is left out of the coordinator's "Kirim semua usulan" for
# this many days: the plan would propose it again at once, and the lender has said why
# not. Here, below both pages that tell it (the coordinator's plan and the lender's
# decline page), since blanko may not import the supervision layer.
DECLINED_REST_DAYS = 7
# How far back an office's loans page shows the proposals that were decided or withdrawn.
RECENT_DAYS = 30


def _with_names(proposals: QuerySet[RebalancingProposal]) -> QuerySet[RebalancingProposal]:
    return proposals.select_related("lender", "borrower", "proposed_by", "decided_by", "loan")


def province_proposals(*, province_code: str, limit: int = 50
                       ) -> list[RebalancingProposal]:
    """The province's proposals, newest first (the `limit` latest): one query."""
    return list(_with_names(RebalancingProposal.objects.filter(
        lender__code__startswith=province_code))[:limit])


def office_proposals(*, office: Office, since: datetime.datetime | None = None
                     ) -> list[RebalancingProposal]:
    """The proposals that name `office`, as lender or borrower: those still waiting for
    the lender, and those decided or withdrawn since `since` (the last RECENT_DAYS by
    default: approved, with their loan; declined; cancelled), newest first, in one query.
    The loans page shows both, so that an office sees what became of a proposal rather
    than finding it gone."""
    if since is None:
        since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    return list(_with_names(RebalancingProposal.objects.filter(
        Q(lender=office) | Q(borrower=office),
        Q(status=Status.PROPOSED) | Q(decided_at__gte=since))))


def waiting_to_lend(*, office: Office, exclude: RebalancingProposal | None = None
                    ) -> tuple[int, int]:
    """How many proposals wait for `office`'s decision as the lender, and their blanks
    together (one query); `exclude` leaves out the one being decided."""
    waiting = RebalancingProposal.objects.filter(lender=office, status=Status.PROPOSED)
    if exclude is not None:
        waiting = waiting.exclude(pk=exclude.pk)
    found = waiting.aggregate(count=Count("id"), quantity=Sum("quantity"))
    return found["count"], found["quantity"] or 0


def proposals_to_decide(*, office: Office) -> QuerySet[RebalancingProposal]:
    """The proposals `office` may accept or decline: it is the lender."""
    return _with_names(RebalancingProposal.objects.filter(lender=office))


def lender_stock_when_proposed(*, proposal: RebalancingProposal) -> int | None:
    """The lender's store count when the coordinator sent the proposal: the ledger keeps
    each movement's balance after it, so the last store movement recorded before then
    tells (a movement back-dated since does not change what the proposal was made on).
    None when the store had no movement yet."""
    return (office_movements(office=proposal.lender)
            .filter(recorded_at__lte=proposal.created_at, stock_after__isnull=False)
            .order_by("-id").values_list("stock_after", flat=True).first())


def waiting_pairs(*, province_code: str) -> set[tuple[int, int]]:
    """The (lender, borrower) pairs of the province whose proposal still waits for the
    lender, however many proposals the province has made (one query)."""
    return set(RebalancingProposal.objects.filter(
        lender__code__startswith=province_code, status=Status.PROPOSED)
        .values_list("lender_id", "borrower_id"))


def declined_since(*, province_code: str, since: datetime.datetime
                   ) -> dict[tuple[int, int], RebalancingProposal]:
    """The province's pairs the lender declined since `since`, each with its latest
    declined proposal (one query)."""
    found: dict[tuple[int, int], RebalancingProposal] = {}
    for proposal in RebalancingProposal.objects.filter(
            lender__code__startswith=province_code, status=Status.DECLINED,
            decided_at__gte=since).order_by("-decided_at", "-id"):
        found.setdefault((proposal.lender_id, proposal.borrower_id), proposal)
    return found
