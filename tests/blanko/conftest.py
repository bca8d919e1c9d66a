"""Fixtures of the ledger tests. Helpers live in tests/blanko/helpers.py; `stocked`,
`receive`, `root` and the users in tests/conftest.py."""

from __future__ import annotations

import pytest

from blanko import access
from tests.factories import OfficeFactory, make_user


@pytest.fixture
def third_office(db):
    return OfficeFactory(code="2104", name="Kabupaten Lingga")


@pytest.fixture
def third_supervisor(third_office):
    return make_user(access.SUPERVISOR, third_office, username="supervisor_lingga")


@pytest.fixture
def ledger_clean_after(db):
    """Asserts, after the test, that every balance is what its movements add up to
    (verify_ledger's check): the supply cycle's modules use it for every test."""
    yield
    from blanko.selectors import ledger_drift

    assert ledger_drift() == []
