"""The client's address behind the forum's reverse proxy (DESIGN §10, `[web] trusted_proxies`).

Waitress is told to hand the `X-Forwarded-*` headers over untouched (`WAITRESS_OPTIONS`); this
middleware alone decides whom to believe. Only a peer listed in `trusted_proxies` (an address or
a network) may say who the client is: the client is the right-most address of `X-Forwarded-For`
that is not itself a trusted proxy, and the scheme comes from `X-Forwarded-Proto`. From any
other peer the headers are dropped, so nobody can choose the address the login limit counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# waitress's own proxy handling trusts one address (or all); Campus's middleware trusts a list
WAITRESS_OPTIONS = {"clear_untrusted_proxy_headers": False}

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_BY",
    "HTTP_FORWARDED",
)


def parse_network(value: str) -> Network | None:
    """`value` as an address or a network (`127.0.0.1`, `::1`, `172.17.0.0/16`), or None."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`value` as an address (an IPv4 address seen through IPv6, `::ffff:127.0.0.1`, as IPv4)."""
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class TrustedProxies:
    """WSGI middleware: `REMOTE_ADDR` and `wsgi.url_scheme` from the trusted proxies' headers."""

    def __init__(self, app: Callable, proxies: Iterable[str]) -> None:
        self.app = app
        self.networks = [network for value in proxies if (network := parse_network(value))]

    def trusts(self, value: str) -> bool:
        """Whether `value` is the address of a trusted proxy."""
        address = _address(value)
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address: from the right of `X-Forwarded-For`, the first hop that is
        not a trusted proxy (an unreadable hop stops the walk at the last trusted one)."""
        hops: Iterator[str] = reversed([hop.strip() for hop in forwarded_for.split(",")])
        address = peer
        while self.trusts(address):
            hop = next(hops, "")
            if _address(hop) is None:
                break
            address = str(_address(hop))
        return address

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR", "")
        if self.trusts(peer):
            environ["REMOTE_ADDR"] = self.client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        for header in FORWARDED_HEADERS:
            environ.pop(header, None)
        return self.app(environ, start_response)
