"""Fixtures of the service-request tests. Helpers live in tests/layanan/helpers.py."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache

from blanko import access
from blanko import services as ledger
from tests.factories import OfficeFactory, make_user

_references = itertools.count(1)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def second_operator(office):
    return make_user(access.OPERATOR, office, username="petugas_kedua")


@pytest.fixture
def give_stock(supervisor):
    """Puts `quantity` blanks into an office's store, by that office's supervisor."""

    def _give(office, quantity: int, *, by=None):
        if by is None:
            by = supervisor if office.pk == supervisor.staff_profile.office_id else (
                make_user(access.SUPERVISOR, office))
        return ledger.receive_allocation(office=office, quantity=quantity,
                                         reference=f"BAST-UJI-{next(_references)}", by=by)

    return _give


@pytest.fixture
def many_offices(db):
    """Makes `n` extra offices."""

    def _make(n: int):
        return [OfficeFactory() for _ in range(n)]

    return _make
