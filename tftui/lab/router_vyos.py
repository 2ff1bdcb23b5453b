"""VyOS configuration mode on the lab router, for scripts run with `sg vyattacfg -c '/bin/vbash -s'`.

The script is read line by line as vbash would: `source .../script-template` defines `configure`, `save` and
`exit`; `/opt/vyatta/sbin/my_set|my_delete|my_commit|my_discard` work on the session's working configuration
and return 1 when they refuse; `CMD || { ...; builtin exit N; }` runs the braces on failure. The configuration is
a tree of `set` paths, BGP's part checked as VyOS 1.1-1.3 (vyatta-cfg-quagga) or 1.4 (vyos-1x) check it, with
their own messages; a commit hands the new BGP configuration to the lab's peering model.
"""

from __future__ import annotations

import ipaddress
import re
import shlex

from tftui.core.peering.running import parse_vyos_commands, vyos_bgp_commands

from .peering import LabPeering

SCRIPT_TEMPLATE = "/opt/vyatta/etc/functions/script-template"
SBIN = "/opt/vyatta/sbin/"
_BAIL = re.compile(r"^(?P<cmd>.+?)\s*\|\|\s*\{\s*(?P<body>[^{}]*?)\s*;?\s*\}$")
VALUE_NODES = {"remote-as", "description", "holdtime", "router-id", "system-as", "import", "address", "host-name",
               "port", "hw-id"}
ASN_RANGE = "AS number must be between 1 and 4294967294"
REMOTE_AS_LEGACY = "remote-as must be between 1 and 4294967294 or external or internal"
SAVED = "Saving configuration to '/config/config.boot'...\nDone\n"
NOT_SAVED = ("Saving configuration to '/config/config.boot'...\n"
             "cp: cannot create regular file '/config/config.boot': Permission denied\n")


def _fixed_lines(topo) -> list[str]:
    r = topo.router
    return [f"set interfaces ethernet eth0 address '{r.address}/8'", "set interfaces loopback lo",
            "set service ssh port '22'", f"set system host-name '{r.name}'"]


def _asn(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 4294967294


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


# what the lab's templates know under `protocols bgp [ASN]` and `... neighbor ADDR`; VALUE: any one word, NUM: digits
VALUE, NUM = "<value>", "<number>"
NEIGHBOR_PATHS = (("remote-as", VALUE), ("description", VALUE), ("timers", "holdtime", NUM),
                  ("address-family", "ipv4-unicast"), ("address-family", "ipv4-unicast", "route-map", "import", VALUE))
LEGACY_PATHS = (("parameters", "router-id", VALUE), ("timers", "holdtime", NUM))
PATHS = (*LEGACY_PATHS, ("parameters", "ebgp-requires-policy"))


def _matches(words: list[str], shape: tuple[str, ...]) -> bool:
    return len(words) == len(shape) and all(
        s in (VALUE, w) or (s == NUM and w.isdigit()) for w, s in zip(words, shape, strict=True))


class Invalid(Exception):
    pass


class VyosConfig:
    """The committed configuration as `set` paths, and a session's working copy."""

    def __init__(self, peering: LabPeering):
        self.peering = peering
        self.legacy = peering.topo.router.os != "vyos-1.4"
        lines = _fixed_lines(peering.topo) + vyos_bgp_commands(peering.router_config, self.legacy)
        self.committed = [tuple(shlex.split(line)[1:]) for line in lines]

    def text(self) -> str:
        return "".join(_render(p) + "\n" for p in sorted(self.committed, key=_sort_key))


def _render(path: tuple[str, ...]) -> str:
    words = list(path)
    if len(words) >= 2 and words[-2] in VALUE_NODES:
        words[-1] = "'" + words[-1].replace("'", "'\\''") + "'"
    return "set " + " ".join(words)


def _sort_key(path: tuple[str, ...]) -> tuple:
    return tuple((0, int(w), "") if w.isdigit() else (1, 0, w) for w in path)


class VyosSession:
    def __init__(self, config: VyosConfig, can_save=lambda: True):
        self.config = config
        self.peering = config.peering
        self.can_save = can_save
        self.sourced = False
        self.working: list[tuple[str, ...]] | None = None

    def run(self, script: str) -> tuple[str, int]:
        out: list[str] = []
        status = 0
        for number, raw in enumerate(script.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = _BAIL.match(line)
            command, on_fail = (m["cmd"], [x.strip() for x in m["body"].split(";") if x.strip()]) if m else (line, [])
            text, status = self._one(command, number)
            out.append(text)
            if status and on_fail:
                for step in on_fail:
                    words = step.split()
                    if words[:2] == ["builtin", "exit"]:
                        return "".join(out), int(words[2]) if len(words) > 2 and words[2].isdigit() else status
                    text, _ = self._one(step, number)
                    out.append(text)
            if line.startswith("builtin exit"):
                words = line.split()
                return "".join(out), int(words[2]) if len(words) > 2 and words[2].isdigit() else 0
        return "".join(out), status

    def _one(self, command: str, number: int) -> tuple[str, int]:
        try:
            words = shlex.split(command)
        except ValueError:
            return f"vbash: line {number}: syntax error\n", 2
        head = words[0]
        if words == ["source", SCRIPT_TEMPLATE]:
            self.sourced = True
            return "", 0
        if self.sourced and head in ("configure", "exit", "save"):
            return self._alias(head, words[1:])
        if head.startswith(SBIN) and head[len(SBIN):] in ("my_set", "my_delete", "my_commit", "my_discard"):
            if self.working is None:  # outside a session the binaries find no session environment
                return f"{head[len(SBIN):]} failed\nnot in a config session\n", 1
            return getattr(self, "_" + head[len(SBIN):])(words[1:])
        return f"vbash: line {number}: {head}: command not found\n", 127

    def _alias(self, head: str, args: list[str]) -> tuple[str, int]:
        if head == "configure":
            self.working = list(self.config.committed)
            return "", 0
        if head == "exit":
            self.working = None
            return "", 0
        return (SAVED, 0) if self.can_save() else (NOT_SAVED, 0)  # `save` always returns 0, whatever happened

    # ---------------------------------------------------------------- the binaries
    def _my_set(self, path: list[str]) -> tuple[str, int]:
        assert self.working is not None
        try:
            self._check_set(path)
        except Invalid as exc:
            return f"{exc}\nSet failed\ninvalid set path\n", 1
        key = tuple(path)
        if key in self.working:
            return f"Configuration path: [{' '.join(path)}] already exists\n", 0
        if len(path) >= 2 and path[-2] in VALUE_NODES:  # a single value replaces the one before
            self.working = [p for p in self.working if p[:len(path) - 1] != key[:-1]]
        self.working.append(key)
        return "", 0

    def _my_delete(self, path: list[str]) -> tuple[str, int]:
        assert self.working is not None
        key = tuple(path)
        kept = [p for p in self.working if p[:len(key)] != key]
        if len(kept) == len(self.working):
            return "Nothing to delete (the specified node does not exist)\n", 0  # treated as success by VyOS
        self.working = kept
        return "", 0

    def _my_discard(self, _args: list[str]) -> tuple[str, int]:
        self.working = list(self.config.committed)
        return "", 0

    def _my_commit(self, _args: list[str]) -> tuple[str, int]:
        assert self.working is not None
        if sorted(self.working) == sorted(self.config.committed):
            return "", 0
        text = "".join(_render(p) + "\n" for p in self.working)
        problem = self._commit_check(text)
        if problem is not None:
            message, node = problem
            return f"{message}\n\n[[{node}]] failed\nCommit failed\n", 1
        self.config.committed = list(self.working)
        self.peering.set_router_config(parse_vyos_commands(text))
        return "", 0

    # ---------------------------------------------------------------- VyOS's checks
    def _local(self, address: str) -> bool:
        r = self.peering.topo.router
        return address in (r.address, r.router_id)

    def _check_set(self, path: list[str]) -> None:
        if path[:2] != ["protocols", "bgp"] or len(path) < 3:
            raise Invalid(f"Configuration path: [{' '.join(path)}] is not valid")
        rest = path[2:]
        if self.config.legacy:
            if not rest[0].isdigit():
                raise Invalid(f"Configuration path: [{' '.join(path)}] is not valid")
            if not _asn(rest[0]):
                raise Invalid(f"  {ASN_RANGE}\n  Value validation failed")
            rest = rest[1:]
        elif rest[0] == "system-as":
            if len(rest) != 2 or not _asn(rest[1]):
                raise Invalid("  Invalid value\n  Value validation failed")
            return
        if not rest:
            return
        if rest[0] == "neighbor" and len(rest) >= 2:
            if not _ip(rest[1]):
                raise Invalid(f"  malformed peer-group name {rest[1]}\n  Value validation failed")
            if self.config.legacy and self._local(rest[1]):
                raise Invalid("  Can't set neighbor address to local system IP.\n  Value validation failed")
            what = rest[2:]
            if what[:1] == ["remote-as"] and len(what) == 2 and not (_asn(what[1]) or what[1] in ("external",
                                                                                                  "internal")):
                raise Invalid(f"  {REMOTE_AS_LEGACY if self.config.legacy else 'Invalid AS number'}\n"
                              "  Value validation failed")
            if not what or any(_matches(what, shape) for shape in NEIGHBOR_PATHS):
                return
        elif any(_matches(rest, shape) for shape in (LEGACY_PATHS if self.config.legacy else PATHS)):
            return
        raise Invalid(f"Configuration path: [{' '.join(path)}] is not valid")

    def _commit_check(self, text: str) -> tuple[str, str] | None:
        """The first error VyOS's commit would print, with the node it names; None: the commit goes through."""
        lines = [ln for ln in text.splitlines() if ln.startswith("set protocols bgp ")]
        if not lines:
            return None
        if self.config.legacy:
            asns = sorted({shlex.split(ln)[3] for ln in lines})
            if len(asns) > 1:
                other = next(a for a in asns if str(self.peering.router_config.asn) != a)
                return (f"[ protocols bgp {other} ]\n  BGP is already running; AS is "
                        f"{self.peering.router_config.asn}", f"protocols bgp {other}")
        cfg = parse_vyos_commands(text)
        if cfg.asn is None:
            return "BGP system-as number must be defined!", "protocols bgp"
        for address, n in cfg.neighbors.items():
            if n.remote_as is None and n.remote_as_word is None:
                if self.config.legacy:
                    return (f"[ protocols bgp {cfg.asn} neighbor {address} ]\n  must set remote-as or peer-group "
                            "with remote-as defined", f"protocols bgp {cfg.asn}")
                return f'Neighbor "{address}" remote-as must be set!', "protocols bgp"
            if not self.config.legacy and self._local(address):
                return f'Can not configure local address as neighbor "{address}" in default VRF!', "protocols bgp"
        return None
