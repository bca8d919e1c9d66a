"""django-axes, plus a daily bound per account.

Axes locks a user name from one address for AXES_COOLOFF_TIME after
AXES_FAILURE_LIMIT failures (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]),
so a stranger elsewhere cannot lock an operator out. Alone, that lets a patient
attacker guess AXES_FAILURE_LIMIT passwords every cool-off, from every address.
This handler adds a second bound: after AXES_DAILY_FAILURE_LIMIT failed logins for
one user name in the last 24 hours, from any address, that user name is refused from
every address it has not signed in from successfully in the last KNOWN_FOR days, until
the oldest failure is 24 hours old, or an administrator resets it
(`manage.py axes_reset_username <name>`, or deleting its rows under "Access failures"
in the admin). The exemption keeps a stranger from locking the operator out of their
own counter for the day (issue 10's review); a guesser at a known address is still held
to AXES_FAILURE_LIMIT per cool-off by axes itself, so an account gets at most
AXES_DAILY_FAILURE_LIMIT guesses a day from strangers' addresses, plus
AXES_FAILURE_LIMIT per cool-off from each of its own.

The failures are axes' own AccessFailureLog rows (AXES_ENABLE_ACCESS_FAILURE_LOG).
"""

from __future__ import annotations

import datetime

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog, AccessLog
from django.utils import timezone

from config.client_ip import client_ip

WINDOW = datetime.timedelta(hours=24)
KNOWN_FOR = datetime.timedelta(days=30)


def failures_today(username: str) -> int:
    """Failed logins for this user name in the last 24 hours, from any address."""
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=timezone.now() - WINDOW
    ).count()


def known_address(username: str, address: str | None) -> bool:
    """Has this user name signed in successfully from this address lately?"""
    return bool(address) and AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=timezone.now() - KNOWN_FOR
    ).exists()


class DailyBoundHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if (username and failures_today(username) >= settings.AXES_DAILY_FAILURE_LIMIT
                and not known_address(username, client_ip(request))):
            request.axes_daily_lockout = True  # the lockout page says so
            return True
        return False

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        """An administrator's reset of a user name also lifts its daily bound."""
        count = super().reset_attempts(ip_address=ip_address, username=username,
                                       ip_or_username=ip_or_username)
        if username:
            lifted, _ = AccessFailureLog.objects.filter(
                username=username, attempt_time__gte=timezone.now() - WINDOW
            ).delete()
            count += lifted
        return count

    def remove_out_of_limit_failure_logs(
        self, *, username: str, limit: int | None = None,
    ) -> int:
        """Trims a user name's log to the newest `limit` rows.

        axes 8.3.1 deletes the first rows in its default ordering, newest first: past
        the limit every new failure would be deleted at once and never counted.
        """
        limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT if limit is None else limit
        if AccessFailureLog.objects.filter(username=username).count() <= limit:
            return 0
        newest = list(
            AccessFailureLog.objects.filter(username=username)
            .order_by("-attempt_time", "-pk").values_list("pk", flat=True)[:limit]
        )
        count, _ = (AccessFailureLog.objects.filter(username=username)
                    .exclude(pk__in=newest).delete())
        return count
