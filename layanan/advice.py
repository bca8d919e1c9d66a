"""Advice for the print queue that is computed by the layer above (the daily quota).

The daily print quota (README "Forecast method") is a rule of layanan.supervision, which
this package may not import. So, as blanko.supply_figures does for a request's
figures, layanan names the slot and the supervision app fills it at start-up (its
AppConfig.ready):

    register_quota_provider(provider)  # provider(*, office, stock) -> advice or None

The advice is a figure for the whole day (planned from the stock at the start of it,
so printing does not change it). It has `quantity` (blanks a day), `until` (the last day
it applies), `used_today`, `remaining` (what is left of today's quota, never below 0),
`reached`, and the text for the page: `headline` (the quota), `progress` (used today and
what is left, or that it is reached) and `reason` (why, and that it is advice). The
template templates/layanan/_quota_box.html shows it. With no provider, the queue shows
none and works as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blanko.models import Office

QuotaProvider = Callable[..., Any]

_provider: QuotaProvider | None = None


def register_quota_provider(provider: QuotaProvider | None) -> None:
    """Sets the function that computes today's quota: provider(*, office, stock) ->
    advice or None, where `stock` is the office's stock now when the caller has read it
    (None: the provider reads it). None removes it (tests)."""
    global _provider
    _provider = provider


def daily_quota_for(*, office: Office, stock: int | None = None) -> Any | None:
    """Today's daily print quota advice for `office`, or None (no quota, or no provider).
    `stock`: the office's stock now, when the caller has it already."""
    if _provider is None:
        return None
    return _provider(office=office, stock=stock)
