"""A fixed-window rate limit per client address, kept in the cache."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a client-supplied X-Forwarded-For would let anyone dodge the
    # limit. Behind a reverse proxy, let the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(request: HttpRequest, scope: str) -> bool:
    """Counts one attempt; False once the scope's limit for this address is spent."""
    limit, window = settings.RATE_LIMITS[scope]
    key = f"ratelimit:{scope}:{client_address(request)}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit
