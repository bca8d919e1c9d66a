"""A fixed-window rate limit per client address, kept in the cache."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from config.client_ip import client_ip


def client_address(request: HttpRequest) -> str:
    # The same address django-axes locks on: X-Forwarded-For only from a trusted proxy.
    return client_ip(request) or "unknown"


def _start_window(key: str, window: int) -> None:
    cache.set(f"{key}:ends", time.time() + window, timeout=window)


def allow(request: HttpRequest, scope: str) -> bool:
    """Counts one attempt; False once the scope's limit for this address is spent."""
    limit, window = settings.RATE_LIMITS[scope]
    key = f"ratelimit:{scope}:{client_address(request)}"
    if cache.add(key, 1, timeout=window):
        _start_window(key, window)
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        _start_window(key, window)
        return True
    # Backends whose incr() is get() + set() (the database cache that production uses)
    # store the count with the default timeout, not what is left of the window: put
    # the window's own end back, or the limit would lapse after CACHES' TIMEOUT.
    ends = cache.get(f"{key}:ends")
    cache.touch(key, window if ends is None else max(1, round(ends - time.time())))
    return count <= limit
