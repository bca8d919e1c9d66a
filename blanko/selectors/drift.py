"""The ledger's self-check: balances that disagree with their movements."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from blanko.models import Balance, Location, Movement

Kind = Location.Kind


@dataclass(frozen=True)
class Drift:
    location: str
    recorded: int | None
    computed: int


def ledger_drift() -> list[Drift]:
    """Rebuilds every balance from the movements and lists those that differ.

    Also reports a physical location whose movements net below zero, which a
    deleted receipt would cause even if no balance row were touched.
    """
    incoming = dict(
        Movement.objects.values_list("to_location").annotate(total=Sum("quantity"))
        .values_list("to_location", "total")
    )
    outgoing = dict(
        Movement.objects.values_list("from_location").annotate(total=Sum("quantity"))
        .values_list("from_location", "total")
    )
    balances = dict(Balance.objects.values_list("location_id", "quantity"))
    drifts = []
    for location in Location.objects.order_by("id"):
        computed = incoming.get(location.pk, 0) - outgoing.get(location.pk, 0)
        if location.has_balance:
            recorded = balances.get(location.pk)
            if recorded != computed or computed < 0:
                drifts.append(Drift(location.code, recorded, computed))
    return drifts
