"""Fixtures of the service-request tests. Helpers live in tests/layanan/helpers.py."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from blanko import access
from tests.factories import OfficeFactory, make_user


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
def give_stock(receive, supervisor):
    """`receive`, by the office's own supervisor rather than a superuser: the layanan
    tests run as the least-privileged role that could record the delivery."""

    def _give(office, quantity: int, *, by=None, **kwargs):
        if by is None:
            by = supervisor if office.pk == supervisor.staff_profile.office_id else (
                make_user(access.SUPERVISOR, office))
        return receive(office, quantity, by=by, **kwargs)

    return _give


@pytest.fixture
def staff(client, operator):
    """A client signed in as the office's operator."""
    client.force_login(operator)
    return client


@pytest.fixture
def many_offices(db):
    """Makes `n` extra offices."""

    def _make(n: int):
        return [OfficeFactory() for _ in range(n)]

    return _make
