"""Reads of the ledger. Pages call these; none of them writes.

Every query on Movement, Balance, Location, Loan or Shipment from outside blanko goes
through this package (tests/test_layers.py enforces it).
"""

from __future__ import annotations

from blanko.selectors.balances import (
    balance_as_of,
    balances_as_of,
    office_balances,
    offices_with_stock,
    stock_on_hand,
)
from blanko.selectors.drift import Drift, ledger_drift
from blanko.selectors.loans import Outstanding, outstanding_loans, pending_shipments
from blanko.selectors.movements import office_movements

__all__ = [
    "Drift",
    "Outstanding",
    "balance_as_of",
    "balances_as_of",
    "ledger_drift",
    "office_balances",
    "office_movements",
    "offices_with_stock",
    "outstanding_loans",
    "pending_shipments",
    "stock_on_hand",
]
