"""Reads of the province's rebalancing proposals (blanko.services.rebalancing writes them)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from blanko.models import Office, RebalancingProposal

Status = RebalancingProposal.Status


def _with_names(proposals: QuerySet[RebalancingProposal]) -> QuerySet[RebalancingProposal]:
    return proposals.select_related("lender", "borrower", "proposed_by", "decided_by", "loan")


def province_proposals(*, province_code: str, limit: int = 50
                       ) -> list[RebalancingProposal]:
    """The province's proposals, newest first (the `limit` latest): one query."""
    return list(_with_names(RebalancingProposal.objects.filter(
        lender__code__startswith=province_code))[:limit])


def open_proposals(*, office: Office) -> QuerySet[RebalancingProposal]:
    """The proposals waiting for a decision that name `office`, as lender or borrower."""
    return _with_names(RebalancingProposal.objects.filter(
        Q(lender=office) | Q(borrower=office), status=Status.PROPOSED))


def proposals_to_decide(*, office: Office) -> QuerySet[RebalancingProposal]:
    """The proposals `office` may accept or decline: it is the lender."""
    return _with_names(RebalancingProposal.objects.filter(lender=office))
