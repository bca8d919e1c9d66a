"""The 8-hour idle expiry, renewed at most once per interval, not written on every click."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blanko import access
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock `hours` forward for the middleware and the session store alike."""
    real_time, real_now = time.time, timezone.now

    def _later(hours: float):
        monkeypatch.setattr(time, "time", lambda: real_time() + hours * 3600)
        monkeypatch.setattr(timezone, "now",
                            lambda: real_now() + datetime.timedelta(hours=hours))

    return _later


@pytest.fixture
def home(office):
    return reverse("layanan:queue", kwargs={"code": office.code})


@pytest.fixture
def signed_in(client, office):
    client.force_login(make_user(access.OPERATOR, office, username="loket1"))
    return client


def session_writes(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    writes = [q["sql"] for q in queries.captured_queries
              if "django_session" in q["sql"]
              and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    return response.status_code, len(writes)


def test_two_quick_requests_write_the_session_once(signed_in, home):
    assert session_writes(signed_in, home) == (200, 1)
    assert session_writes(signed_in, home) == (200, 0)
    assert session_writes(signed_in, home) == (200, 0)


def test_the_session_is_renewed_again_after_the_interval(signed_in, home, clock, settings):
    session_writes(signed_in, home)
    before = Session.objects.get().expire_date
    clock(settings.SESSION_RENEW_INTERVAL / 3600 + 0.01)
    assert session_writes(signed_in, home) == (200, 1)
    assert Session.objects.get().expire_date > before


def test_a_session_in_use_outlives_the_idle_limit(signed_in, home, clock):
    signed_in.get(home)
    clock(7)
    assert signed_in.get(home).status_code == 200
    clock(14)  # 14 hours after login, 7 after the last request
    assert signed_in.get(home).status_code == 200


def test_a_session_idle_for_more_than_eight_hours_is_expired(signed_in, home, clock, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    signed_in.get(home)
    clock(7.9)
    signed_in.get(home)  # renewed: ends 7.9 + 8 hours after login
    clock(7.9 + 8.01)
    response = signed_in.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_visitor_gets_no_session_row(client):
    client.get(reverse("login"))
    client.get(reverse("layanan:public_stock"))
    assert not Session.objects.exists()
