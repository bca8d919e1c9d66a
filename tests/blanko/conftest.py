"""Fixtures and helpers shared by the ledger tests."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from blanko import access, services
from blanko.models import (
    Balance,
    Delivery,
    Destruction,
    Loan,
    Location,
    MonthClose,
    Movement,
    Shipment,
    StockCount,
)
from blanko.services.posting import today
from tests.factories import OfficeFactory, make_user
from tests.helpers import raises_without_change

PARTNER_BINTAN = "2101"  # Kabupaten Bintan: a kab/kota that does not use SiBlanko
PARTNER_KARIMUN = "2102"


def ledger_snapshot() -> dict:
    """Everything a ledger write could change, to check that a refused call wrote nothing."""
    return {
        "movements": Movement.objects.count(),
        "balances": dict(Balance.objects.values_list("location__code", "quantity")),
        "deliveries": Delivery.objects.count(),
        "loans": list(
            Loan.objects.order_by("pk").values_list(
                "pk", "delivered_quantity", "repaid_quantity", "status"
            )
        ),
        "shipments": list(
            Shipment.objects.order_by("pk").values_list(
                "pk", "received_quantity", "cancelled_quantity", "status"
            )
        ),
        "stock_counts": StockCount.objects.count(),
        "destructions": Destruction.objects.count(),
        "month_closes": MonthClose.objects.count(),
        "locations": Location.objects.count(),
    }


def refused(exception: type[Exception] = ValidationError, match: str | None = None):
    """Expects `exception` (with a message matching `match`) and no change to the ledger."""
    return raises_without_change(ledger_snapshot, exception, match)


def previous_month_day(day: int = 15) -> datetime.date:
    """A day in the month before the current one."""
    return (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=day)


@pytest.fixture
def root(db):
    """A national superuser, for setting the scene."""
    return User.objects.create_superuser("pusat_uji", "pusat@example.com", "rahasia-uji-123")


@pytest.fixture
def receive(root):
    """Puts `quantity` blanks into an office's store under a fresh BAST number."""
    counter = iter(range(1, 10_000))

    def _receive(office, quantity, **kwargs):
        kwargs.setdefault("by", root)
        return services.receive_allocation(
            office=office, quantity=quantity, reference=f"BAST/UJI/{next(counter)}", **kwargs
        )

    return _receive


@pytest.fixture
def stocked(office, receive):
    """The office with 100 blanks in store."""
    receive(office, 100)
    return office


@pytest.fixture
def viewer(db):
    return make_user(access.VIEWER, None, username="peninjau_uji", office__region="21")


@pytest.fixture
def third_office(db):
    return OfficeFactory(code="2104", name="Kabupaten Lingga")


@pytest.fixture
def third_supervisor(third_office):
    return make_user(access.SUPERVISOR, third_office, username="supervisor_lingga")
