"""The client address that per-address rate limits count: one key function for all of them.

IPv4 clients are keyed on their address. An IPv6 client is keyed on its /64: a single
household or server is normally given a whole /64 (2**64 addresses), so keying on the full
address would let one client step through fresh addresses and never meet a limit. An
IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its IPv4 address.

`request.remote_addr` is what ProxyFix left there (PROXY_HOPS), as Flask-Limiter's own
`address_key` read it.
"""

from __future__ import annotations

import ipaddress

from flask import request

IPV6_PREFIX = 64


def address_key(remote: str | None = None) -> str:
    """The limit key of `remote` (default: this request's client address)."""
    text = remote if remote is not None else (request.remote_addr or "127.0.0.1")
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # no zone index (fe80::1%eth0)
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)
