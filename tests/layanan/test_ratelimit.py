"""The per-address rate limit of the public forms, on the local and the database cache."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache.backends import db as db_cache
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from layanan import ratelimit

pytestmark = pytest.mark.django_db


def attempt(address: str = "10.1.1.1", scope: str = "status_check") -> bool:
    return ratelimit.allow(RequestFactory().post("/", REMOTE_ADDR=address), scope)


@pytest.fixture
def limit(settings):
    settings.RATE_LIMITS = {"status_check": (3, 600), "online_submit": (1, 3600)}


@pytest.fixture
def database_cache(settings):
    """The cache production uses (DJANGO_CACHE=db), with Django's default 300 s timeout."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "uji_ratelimit_cache"}}
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock forward by `seconds`: time.time() and the database cache's now()."""
    real_time, real_now = time.time, timezone.now

    def _later(seconds: int):
        monkeypatch.setattr(time, "time", lambda: real_time() + seconds)
        monkeypatch.setattr(db_cache, "tz_now",
                            lambda: real_now() + datetime.timedelta(seconds=seconds))

    return _later


def test_the_limit_allows_exactly_that_many_attempts(limit):
    assert [attempt() for _ in range(5)] == [True, True, True, False, False]


def test_each_address_and_each_scope_has_its_own_count(limit):
    assert attempt("10.1.1.1", "online_submit")
    assert not attempt("10.1.1.1", "online_submit")
    assert attempt("10.2.2.2", "online_submit")
    assert attempt("10.1.1.1", "status_check")


def test_on_the_database_cache_the_limit_holds_for_the_whole_window(limit, database_cache,
                                                                   clock):
    assert [attempt() for _ in range(4)] == [True, True, True, False]
    clock(301)  # past the cache's default timeout, inside the 600 s window
    assert not attempt()
    clock(601)  # the window is over
    assert attempt()


def test_on_the_database_cache_a_new_window_starts_after_the_old_one(limit, database_cache,
                                                                    clock):
    assert attempt("10.3.3.3", "online_submit")
    clock(3601)
    assert attempt("10.3.3.3", "online_submit")
    assert not attempt("10.3.3.3", "online_submit")
