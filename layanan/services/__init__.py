"""Every write to a service request goes through these functions."""

from __future__ import annotations

from layanan.services.printing import (
    issue_suket,
    print_card,
    record_defective_card,
    record_spoiled_print,
)
from layanan.services.requests import (
    KEY_REUSED,
    cancel_request,
    deliver_request,
    reject_request,
    submit_request,
    verify_request,
)

__all__ = [
    "KEY_REUSED",
    "cancel_request",
    "deliver_request",
    "issue_suket",
    "print_card",
    "record_defective_card",
    "record_spoiled_print",
    "reject_request",
    "submit_request",
    "verify_request",
]
