"""Reads of the ledger. Pages call these; none of them writes.

Every query on Movement, Balance, Location, Loan or Shipment from outside blanko goes
through this package (tests/test_layers.py enforces it).
"""

from __future__ import annotations

from blanko.selectors.balances import (
    balance_as_of,
    balances_as_of,
    counted_against,
    office_balances,
    offices_with_stock,
    offices_with_store,
    stock_counts,
    stock_on_hand,
)
from blanko.selectors.closing import closed_months, destruction, destructions, month_close
from blanko.selectors.drift import Drift, ledger_drift
from blanko.selectors.flows import (
    Day,
    StoreWindow,
    daily_series,
    daily_series_by_office,
    flows_by_reason,
    store_windows,
    use_reversals,
    used_by_office,
)
from blanko.selectors.history import first_movement_on, last_store_movement_on
from blanko.selectors.loans import (
    Outstanding,
    incoming_by_office,
    office_shipments,
    outstanding_loans,
    owed_on_loans_due,
    pending_shipments,
    shipments_towards,
)
from blanko.selectors.movements import (
    Irreversible,
    irreversible_reason,
    office_movements,
    reversal_of,
)
from blanko.selectors.supply import (
    LeadTime,
    OpenRequest,
    blank_requests,
    central_stock,
    incoming_from_ditjen,
    lead_time_days,
    lead_times,
    newest_open_requests,
    open_blank_requests,
)

__all__ = [
    "Day",
    "Drift",
    "Irreversible",
    "LeadTime",
    "Outstanding",
    "StoreWindow",
    "balance_as_of",
    "balances_as_of",
    "blank_requests",
    "central_stock",
    "closed_months",
    "counted_against",
    "daily_series",
    "daily_series_by_office",
    "destruction",
    "destructions",
    "first_movement_on",
    "flows_by_reason",
    "incoming_by_office",
    "incoming_from_ditjen",
    "irreversible_reason",
    "last_store_movement_on",
    "lead_time_days",
    "lead_times",
    "ledger_drift",
    "month_close",
    "office_balances",
    "office_movements",
    "open_blank_requests",
    "OpenRequest",
    "newest_open_requests",
    "offices_with_stock",
    "offices_with_store",
    "office_shipments",
    "outstanding_loans",
    "owed_on_loans_due",
    "pending_shipments",
    "shipments_towards",
    "reversal_of",
    "stock_counts",
    "stock_on_hand",
    "store_windows",
    "use_reversals",
    "used_by_office",
]
