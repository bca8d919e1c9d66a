"""Renewing the idle expiry of a session without writing it on every request.

SESSION_COOKIE_AGE (8 hours) is an idle limit: each request pushes the end of the
session forward. SESSION_SAVE_EVERY_REQUEST did that by writing the session row on
every click. This middleware marks the session modified at most once every
SESSION_RENEW_INTERVAL seconds, so a session lives at most SESSION_COOKIE_AGE, and at
least SESSION_COOKIE_AGE - SESSION_RENEW_INTERVAL, after its user's last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RENEWED_AT = "_renewed_at"


class SessionRenewalMiddleware:
    """After SessionMiddleware: renews a signed-in session once per interval."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (an anonymous visitor, a stale cookie) is never created
        # just to be renewed.
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(time.time())
        renewed_at = session.get(RENEWED_AT)
        if not isinstance(renewed_at, int) or now - renewed_at >= settings.SESSION_RENEW_INTERVAL:
            session[RENEWED_AT] = now  # modified: SessionMiddleware saves it
        return response
