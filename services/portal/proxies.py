"""Who is asking, by address: the peer itself, or — only when the peer is a proxy the operator trusts — the address
that proxy reports in ``X-Forwarded-For``.

A national service sits behind reverse proxies, so the peer of every request is one of a few
addresses; throttling by it would make everyone wait for one guesser. But anyone can write an
``X-Forwarded-For`` header, so it is believed only from the proxies named in
``CP_TRUSTED_PROXIES`` (addresses or networks, comma-separated), read from the right: the first
address not itself a trusted proxy is the client.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from shared.errors import ConfigurationError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        try:
            return cls(tuple(ipaddress.ip_network(one.strip(), strict=False) for one in text.split(",") if one.strip()))
        except ValueError as exc:
            raise ConfigurationError(f"CP_TRUSTED_PROXIES must list addresses or networks, comma-separated: {exc}") from exc

    def client(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's address: the peer's, unless the peer is trusted and reports who it forwards for."""
        if not peer:
            return "unknown"
        chain = [peer]
        if forwarded_for and self._trusts(peer):
            chain = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] + chain
        for hop in reversed(chain):
            if not self._trusts(hop):
                return hop
        return chain[0]

    def _trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False  # not an address at all: never a proxy of ours, and the client as far as we can tell
        return any(ip in network for network in self.networks)
