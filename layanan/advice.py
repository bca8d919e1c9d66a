"""Advice for the print queue that is computed by the layer above (the daily quota).

The daily print quota (README "Forecast method") is a rule of layanan.supervision, which
this package may not import. So, as blanko.supply_figures does for a request's
figures, layanan names the slot and the supervision app fills it at start-up (its
AppConfig.ready):

    register_quota_provider(provider)  # provider(*, office) -> advice or None

The advice has `quantity` (blanks a day), `until` (the last day it applies),
`headline` and `reason` (text for the page). With no provider, the queue shows none and
works as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blanko.models import Office

QuotaProvider = Callable[..., Any]

_provider: QuotaProvider | None = None


def register_quota_provider(provider: QuotaProvider | None) -> None:
    """Sets the function that computes today's quota: provider(*, office) -> advice or
    None. None removes it (tests)."""
    global _provider
    _provider = provider


def daily_quota_for(*, office: Office) -> Any | None:
    """Today's daily print quota advice for `office`, or None (no quota, or no provider)."""
    if _provider is None:
        return None
    return _provider(office=office)
