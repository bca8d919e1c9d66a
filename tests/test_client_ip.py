"""The client's address behind a reverse proxy, and the login lockout keyed on it."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from blanko import access
from config.client_ip import client_ip, parse_trusted_proxies
from layanan import ratelimit
from tests.factories import make_user

PROXY = "10.0.0.2"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **extra)


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.fixture
def behind_two_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::/32"]


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(behind_nginx):
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(behind_nginx):
    # The client wrote "1.2.3.4"; nginx appended the address it saw.
    assert client_ip(request_from(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from(PROXY, "198.51.100.7")) == "198.51.100.7"


def test_several_trusted_proxies_are_skipped_from_the_right(behind_two_proxies):
    forwarded = "1.2.3.4, 198.51.100.7, 10.0.0.9, 2001:db8::5"
    assert client_ip(request_from("10.0.0.3", forwarded)) == "198.51.100.7"


def test_a_proxy_without_forwarded_for_or_with_a_bad_hop_of_its_own_gives_the_proxy(
        behind_nginx):
    assert client_ip(request_from(PROXY)) == PROXY
    # squid with forwarded_for off appends "unknown": nothing to its left is known.
    assert client_ip(request_from(PROXY, "198.51.100.7, unknown")) == PROXY


def test_what_the_client_wrote_left_of_its_address_does_not_hide_it(behind_nginx):
    """Rejecting the whole header put every such client in the proxy's bucket, so one
    stranger sending "X-Forwarded-For: unknown" shared the office's rate limit."""
    assert client_ip(request_from(PROXY, "bukan-alamat, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from(PROXY, "unknown, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from(PROXY, ",, 198.51.100.7")) == "198.51.100.7"


def test_an_unparseable_remote_addr_gives_none(behind_nginx):
    assert client_ip(request_from("")) is None
    assert ratelimit.client_address(request_from("")) == "unknown"


def test_a_bad_trusted_proxy_entry_is_refused():
    assert parse_trusted_proxies(["10.0.0.0/8", "::1"])
    with pytest.raises(ValueError, match="'nginx' bukan alamat IP atau CIDR"):
        parse_trusted_proxies(["10.0.0.1", "nginx"])


@pytest.mark.django_db
def test_the_rate_limit_counts_each_client_behind_the_proxy_separately(behind_nginx,
                                                                       settings):
    settings.RATE_LIMITS = {"status_check": (2, 600), "online_submit": (1, 3600)}

    def attempt(client: str, spoof: str = "") -> bool:
        forwarded = f"{spoof}, {client}" if spoof else client
        return ratelimit.allow(request_from(PROXY, forwarded), "status_check")

    assert [attempt("198.51.100.1") for _ in range(3)] == [True, True, False]
    # Another citizen behind the same nginx is not blocked...
    assert attempt("198.51.100.2")
    # ...and the first cannot dodge the limit by writing a header of their own.
    assert not attempt("198.51.100.1", spoof="192.0.2.77")


def login(client, username, password, address, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


@pytest.fixture
def operator(office):
    user = make_user(access.OPERATOR, office, username="operator1")
    user.set_password("sandi-benar-123")
    user.save()
    return user


@pytest.mark.django_db
def test_axes_locks_on_the_client_address_behind_the_proxy(client, operator, behind_nginx,
                                                           settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, "operator1", "salah", PROXY, "198.51.100.66")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    refused = login(client, "operator1", "sandi-benar-123", PROXY, "198.51.100.66")
    assert refused.status_code == 429
    # The operator at the office, behind the same nginx, still gets in.
    allowed = login(client, "operator1", "sandi-benar-123", PROXY, "203.0.113.10")
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_a_stranger_cannot_lock_the_operator_out_from_elsewhere(client, operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(5):
        login(client, "operator1", "salah", "198.51.100.66")
    assert login(client, "operator1", "sandi-benar-123", "198.51.100.66").status_code == 429
    assert login(client, "operator1", "sandi-benar-123", "203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_dodge_the_lockout(client, operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        login(client, "operator1", "salah", "198.51.100.66", forwarded=f"192.0.2.{n}")
    assert login(client, "operator1", "sandi-benar-123", "198.51.100.66",
                 forwarded="192.0.2.200").status_code == 429


@pytest.mark.django_db
def test_an_account_gets_a_bounded_number_of_guesses_a_day_from_any_address(
        client, office, operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_DAILY_FAILURE_LIMIT = 6
    # A patient attacker: two guesses from each of many addresses, never locked by axes.
    for n in range(3):
        login(client, "operator1", "salah", f"198.51.100.{n}")
        login(client, "operator1", "salah", f"198.51.100.{n}")
    assert AccessFailureLog.objects.filter(username="operator1").count() == 6
    # Now every further attempt is refused, the right password from a new address too,
    # and a refused attempt checks no password, so it is not counted as a guess.
    refused = login(client, "operator1", "sandi-benar-123", "203.0.113.10")
    assert refused.status_code == 429
    assert "24 jam" in refused.content.decode()
    assert login(client, "operator1", "salah", "198.51.100.50").status_code == 429
    assert AccessFailureLog.objects.filter(username="operator1").count() == 6
    # Another account is not affected.
    other = make_user(access.OPERATOR, office, username="operator2")
    other.set_password("sandi-lain-456")
    other.save()
    assert login(client, "operator2", "sandi-lain-456", "198.51.100.1").status_code == 302


@pytest.mark.django_db
def test_a_stranger_spending_the_daily_bound_does_not_lock_the_operator_out_of_their_counter(
        client, operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_DAILY_FAILURE_LIMIT = 4
    counter = "203.0.113.10"
    assert login(client, "operator1", "sandi-benar-123", counter).status_code == 302
    client.logout()
    for n in range(4):
        login(client, "operator1", "salah", f"198.51.100.{n}")
    # The stranger's addresses, and any new one, are refused for the day...
    assert login(client, "operator1", "sandi-benar-123", "198.51.100.9").status_code == 429
    # ...but the operator signs in at the counter they signed in from before.
    assert login(client, "operator1", "sandi-benar-123", counter).status_code == 302


def spend_the_daily_bound(client, settings) -> None:
    """Two failures from two addresses, with a daily bound of two: locked for the day."""
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_DAILY_FAILURE_LIMIT = 2
    login(client, "operator1", "salah", "198.51.100.1")
    login(client, "operator1", "salah", "198.51.100.2")
    assert login(client, "operator1", "sandi-benar-123", "203.0.113.10").status_code == 429


@pytest.mark.django_db
def test_the_daily_bound_ends_after_24_hours(client, operator, settings):
    spend_the_daily_bound(client, settings)
    AccessFailureLog.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    assert login(client, "operator1", "sandi-benar-123", "203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_an_administrator_lifts_the_daily_bound(client, operator, settings):
    spend_the_daily_bound(client, settings)
    call_command("axes_reset_username", "operator1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert login(client, "operator1", "sandi-benar-123", "203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_past_the_kept_log_new_failures_still_count(client, operator, settings):
    """axes 8.3.1 trims the newest rows past AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT."""
    settings.AXES_FAILURE_LIMIT = 100
    settings.AXES_DAILY_FAILURE_LIMIT = 3
    settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 2
    old = timezone.now() - datetime.timedelta(days=3)
    for _ in range(2):
        AccessFailureLog.objects.create(username="operator1", ip_address="192.0.2.1",
                                        user_agent="x", http_accept="x", path_info="/")
    AccessFailureLog.objects.update(attempt_time=old)
    login(client, "operator1", "salah", "198.51.100.1")
    newest = AccessFailureLog.objects.filter(username="operator1").order_by("-attempt_time")
    assert newest.count() == 2
    assert newest.first().attempt_time > old


def test_a_bad_trusted_proxies_setting_stops_the_app_with_a_clear_message():
    from tests.test_security import PRODUCTION_ENV, manage

    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_TRUSTED_PROXIES": "10.0.0.1,nginx"})
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: 'nginx' bukan alamat IP atau CIDR" in result.stderr
    fine = manage("check", env={**PRODUCTION_ENV, "DJANGO_TRUSTED_PROXIES": "10.0.0.1, fd00::/8"})
    assert fine.returncode == 0, fine.stderr
