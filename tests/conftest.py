"""Fixtures shared by every test package. Plain helpers live in tests/helpers.py."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone, translation

from blanko import access, services
from tests.factories import OfficeFactory, make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts, and ends, in Bahasa Indonesia.

    LocaleMiddleware activates a request's language in the thread and nothing resets
    it, so a test that asked for an English page would leave the next test's service
    messages in English, and its assertions depending on the order of the tests.
    """
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def postgres_only():
    """Skips on SQLite, which has no row locks; never skips when DATABASE_URL is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, concurrent processes): set DATABASE_URL")


@pytest.fixture
def office(db):
    """Kota Tanjungpinang: the office the users below work at."""
    return OfficeFactory(code="2172", name="Kota Tanjungpinang")


@pytest.fixture
def other_office(db):
    """Kota Batam: the same province, another office."""
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
def viewer(office):
    """A read-only Viewer of `office` alone."""
    return make_user(access.VIEWER, office, username="peninjau_uji")


@pytest.fixture
def region_viewer(db):
    """A read-only Viewer of every office in province 21 (Kepulauan Riau)."""
    return make_user(access.VIEWER, None, username="peninjau_provinsi_uji",
                     office__region="21")


@pytest.fixture
def other_operator(other_office):
    return make_user(access.OPERATOR, other_office, username="petugas_batam")


@pytest.fixture
def other_supervisor(other_office):
    return make_user(access.SUPERVISOR, other_office, username="supervisor_batam")


@pytest.fixture
def root(db):
    """A national superuser, for setting the scene."""
    return User.objects.create_superuser("pusat_uji", "pusat@example.com", "rahasia-uji-123")


@pytest.fixture
def receive(root):
    """Puts `quantity` blanks into an office's store under a fresh BAST number, by `root`."""
    counter = itertools.count(1)

    def _receive(office, quantity, **kwargs):
        kwargs.setdefault("by", root)
        return services.receive_allocation(
            office=office, quantity=quantity, reference=f"BAST/UJI/{next(counter)}", **kwargs
        )

    return _receive


@pytest.fixture
def stocked(office, receive):
    """`office` with 100 blanks in store, received on the first day of the month before
    this one: a test may date an outflow on any day since (a back-dated outflow may
    never leave a past day below zero)."""
    first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    receive(office, 100, occurred_on=first)
    return office
