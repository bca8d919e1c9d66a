from __future__ import annotations

import pytest
from django.db import connection

from blanko import access
from tests.factories import OfficeFactory, make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def postgres_only():
    """Skips on SQLite, which has no row locks; never skips when DATABASE_URL is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, concurrent processes): set DATABASE_URL")


@pytest.fixture
def office(db):
    return OfficeFactory(code="2172", name="Kota Tanjungpinang")


@pytest.fixture
def other_office(db):
    return OfficeFactory(code="2171", name="Kota Batam")


@pytest.fixture
def operator(office):
    return make_user(access.OPERATOR, office, username="petugas_uji")


@pytest.fixture
def supervisor(office):
    return make_user(access.SUPERVISOR, office, username="supervisor_uji")


@pytest.fixture
def administrator(office):
    return make_user(access.ADMINISTRATOR, office, username="admin_uji", is_staff=True)


@pytest.fixture
def other_operator(other_office):
    return make_user(access.OPERATOR, other_office, username="petugas_batam")


@pytest.fixture
def other_supervisor(other_office):
    return make_user(access.SUPERVISOR, other_office, username="supervisor_batam")
