"""Every write to the ledger goes through these functions."""

from __future__ import annotations

from blanko.services.cards import spoil_issued_card
from blanko.services.central_store import central_office, receive_into_central_store
from blanko.services.closing import close_month
from blanko.services.loans import (
    borrow_from_partner,
    lend_to_office,
    lend_to_partner,
    repay_loan,
    set_loan_due_date,
)
from blanko.services.locks import lock_stock
from blanko.services.offices import create_office, office_location, partner_location
from blanko.services.posting import EKTP_START, period_lock_date, post_movement
from blanko.services.rebalancing import (
    accept_rebalancing,
    cancel_rebalancing,
    decline_rebalancing,
    propose_rebalancing,
)
from blanko.services.reversals import reverse_movement
from blanko.services.shipments import cancel_shipment, confirm_receipt
from blanko.services.stock import (
    destroy_spoiled,
    issue_blank,
    receive_allocation,
    receive_from_province,
    record_stock_count,
    spoil_blank,
)
from blanko.services.supply import (
    allocate_blanks,
    cancel_blank_request,
    dispatch_blanks,
    forward_blank_request,
    request_blanks,
)

__all__ = [
    "EKTP_START",
    "accept_rebalancing",
    "allocate_blanks",
    "borrow_from_partner",
    "cancel_blank_request",
    "cancel_rebalancing",
    "cancel_shipment",
    "central_office",
    "close_month",
    "confirm_receipt",
    "create_office",
    "decline_rebalancing",
    "destroy_spoiled",
    "dispatch_blanks",
    "forward_blank_request",
    "issue_blank",
    "lend_to_office",
    "lend_to_partner",
    "lock_stock",
    "office_location",
    "partner_location",
    "period_lock_date",
    "post_movement",
    "propose_rebalancing",
    "receive_allocation",
    "receive_from_province",
    "receive_into_central_store",
    "record_stock_count",
    "repay_loan",
    "request_blanks",
    "reverse_movement",
    "set_loan_due_date",
    "spoil_blank",
    "spoil_issued_card",
]
