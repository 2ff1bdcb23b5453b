"""Which configuration language a router speaks: plain FRR or Quagga (vtysh configuration mode), VyOS 1.1-1.3
(`set protocols bgp ASN ...`) or VyOS 1.4+ (`set protocols bgp system-as ASN`, neighbors with an address family).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tftui.core.routes.models import Suite

FRR, QUAGGA, VYOS = "frr", "quagga", "vyos"

# `show version` of VyOS: "Version:          VyOS 1.3.8", "Version:      VyOS 1.1.8", "VyOS 1.5-rolling-2024..."
_VYOS_VERSION = re.compile(r"^\s*Version:\s+VyOS\s+((\d+)\.(\d+)\S*)", re.MULTILINE)
_VERSION_NUMBERS = re.compile(r"(\d+)\.(\d+)")


@dataclass(frozen=True)
class Dialect:
    os: str  # frr | quagga | vyos
    suite: Suite  # the routing suite underneath (VyOS 1.1: Quagga; 1.2+: FRR)
    version: str | None = None  # VyOS release for vyos, else None

    @property
    def vyos_release(self) -> tuple[int, int] | None:
        if self.os != VYOS or not self.version:
            return None
        m = _VERSION_NUMBERS.match(self.version)
        return (int(m[1]), int(m[2])) if m else None

    @property
    def legacy_vyos(self) -> bool:
        """VyOS 1.1-1.3: the AS is a tag node (`protocols bgp 65311 neighbor ...`)."""
        release = self.vyos_release
        return release is not None and release < (1, 4)

    @property
    def vtysh_config(self) -> bool:
        """Configured through vtysh's configuration mode (on VyOS that would be overwritten by the next commit)."""
        return self.os in (FRR, QUAGGA)

    @property
    def ebgp_policy_required(self) -> bool:
        """Plain FRR 7.4+ refuses eBGP routes without a policy; VyOS writes `no bgp ebgp-requires-policy` itself."""
        if self.os != FRR or self.suite.name != FRR:
            return False
        m = _VERSION_NUMBERS.match(self.suite.version or "")
        return m is None or (int(m[1]), int(m[2])) >= (7, 4)  # an unknown FRR version is assumed recent

    @property
    def neighbor_needs_address_family(self) -> bool:
        """VyOS 1.4+ renders `no bgp default ipv4-unicast`: a neighbor without ipv4-unicast exchanges no routes."""
        release = self.vyos_release
        return release is not None and release >= (1, 4)

    def label(self) -> str:
        suite = self.suite.label()
        if self.os == VYOS:
            syntax = "protocols bgp ASN" if self.legacy_vyos else "protocols bgp system-as"
            return f"VyOS {self.version or '?'} ({suite}; configuration mode, {syntax})"
        return f"{suite} (vtysh configuration mode)"

    def short(self) -> str:
        """A few words for a status line: "VyOS 1.4.0", "FRR 8.4"."""
        return f"VyOS {self.version or '?'}" if self.os == VYOS else self.suite.label()


def vyos_version(show_version: str) -> str | None:
    """The VyOS release in `show version` output, or None when it is not VyOS."""
    m = _VYOS_VERSION.search(show_version or "")
    return m[1] if m else None


def dialect_of(suite: Suite, show_version_op: str | None, kind: str = "auto") -> Dialect:
    """Decide from vtysh's suite and the op-mode `show version` (None: no VyOS op-mode wrapper on this host)."""
    release = vyos_version(show_version_op or "")
    if release is not None and kind in ("auto", VYOS):
        return Dialect(VYOS, suite, release)
    if kind == VYOS:
        raise ValueError("the router is configured as kind: vyos but `show version` does not name a VyOS release")
    return Dialect(QUAGGA if suite.name == QUAGGA else FRR, suite)
