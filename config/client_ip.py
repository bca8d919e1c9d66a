"""The client's address: one answer for the rate limits and the login lockout.

REMOTE_ADDR is the client, unless it is one of DJANGO_TRUSTED_PROXIES (a reverse
proxy such as nginx). Only then is X-Forwarded-For read, from the right: each hop a
trusted proxy appended is skipped, and the first address that is not a trusted proxy
is the client. Everything to its left was written by the client and may be forged.
A request from an untrusted address keeps its REMOTE_ADDR, whatever header it sends.

The header is parsed by python-ipware (the engine behind django-ipware, which
django-axes uses): ports, brackets, IPv6 and IPv4-mapped addresses, RFC 7239 forms.
Its own proxy settings match proxies by position, not "right-most untrusted", so the
walk over the chain is done here.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from python_ipware.modern.parsers import parse_ip

if TYPE_CHECKING:  # settings imports this module: keep it light
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDRs; ValueError names the first entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"DJANGO_TRUSTED_PROXIES: {entry!r} bukan alamat IP atau CIDR") \
                from error
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_trusted_proxies(entries)


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when REMOTE_ADDR is not an address."""
    remote = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    # Walked from the right, and only as far as the client: what the client wrote to the
    # left of it ("unknown, evil, ...") must not throw away the hops our proxies added,
    # or every such client would share the proxy's rate-limit and lockout bucket.
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in header.split(",")] if header.strip() else []
    closest = None
    for text in reversed(hops):
        hop = parse_ip(text)
        if hop is None:
            # A hop a trusted proxy wrote that is not an address (squid's "unknown"):
            # nothing to its left can be trusted, so the last proxy is the answer.
            return str(closest or remote)
        if not _trusted(hop, networks):
            return str(hop)
        closest = hop
    # Every hop is a trusted proxy: the left-most is as close to the client as it gets.
    return str(closest or remote)
