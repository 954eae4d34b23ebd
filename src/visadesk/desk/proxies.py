"""The client's address, trusting ``X-Forwarded-For`` only from configured proxies.

``VISADESK_TRUSTED_PROXIES`` lists the reverse proxies in front of the desk
(IP addresses or CIDR networks, comma-separated; default none). The header is
honoured only when the socket peer is one of them; the client is then the
right-most address in the header that is not itself a trusted proxy (the
left part of the header is whatever the client chose to send). Without a
trusted peer the header is ignored and the socket peer is the client, so no
one can pick the address the login rate limits count against.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["Network", "ProxySettingError", "client_address", "parse_trusted"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxySettingError(ValueError):
    """An entry of VISADESK_TRUSTED_PROXIES that is not an address or a network."""

    def __init__(self, item: str) -> None:
        super().__init__(f"VISADESK_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network")
        self.item = item


def parse_trusted(text: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/24"`` -> networks; a bad entry raises ValueError naming it."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ProxySettingError(item) from None
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in networks)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str:
    """The address a request came from, for rate limiting and the audit trail."""
    if not peer:
        return "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _ip(hop) is None:
            # Not an address: nothing to its left can be believed either.
            return peer
        if not _trusted(hop, trusted):
            return str(_ip(hop))
    # Every hop is a trusted proxy: the left-most is as close to the client as we know.
    return str(_ip(hops[0])) if hops else peer
