"""SSH to the gateway router (VyOS / FRR / Quagga) with asyncssh: one reused connection per router.

Host keys are checked against known_hosts (unknown -> HostKeyUnknown with the SHA256 fingerprint, changed ->
HostKeyChanged); `accept-new` writes an unknown key only when the config asks for it. Passwords come from an
environment variable or a prompt callback at connect time and are never kept or logged. Commands come from
fixed templates; the only user value (a prefix) is validated with ipaddress and then shlex-quoted.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import json
import logging
import os
import shlex
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from tftui.core.config_values import JumpHost
from tftui.core.routes.bgp import detect_suite, parse_bgp_prefix_json, parse_bgp_prefix_text
from tftui.core.routes.config import RouterSpec
from tftui.core.routes.models import BgpPath, Neighbor, Parsed, Route, Suite
from tftui.core.routes.rib import parse_route_json, parse_route_text
from tftui.core.routes.summary import parse_summary_json, parse_summary_text

log = logging.getLogger(__name__)

VTYSH = "vtysh"
WRAPPER = "/opt/vyatta/bin/vyatta-op-cmd-wrapper"
# The only commands ever sent; {prefix} is filled with a validated, quoted network.
TEMPLATES = {
    "version": "show version",
    "summary": "show ip bgp summary",
    "routes": "show ip route",
    "bgp": "show ip bgp",
    "prefix": "show ip bgp {prefix}",
}
UNKNOWN_MARKERS = ("% Unknown command", "% Command incomplete", "% Ambiguous command")

PasswordPrompt = Callable[[str], Awaitable[str | None]]


class RouterError(Exception):
    """Something the operator must read: the message says what failed and what to do."""


class HostKeyUnknown(RouterError):
    def __init__(self, host: str, port: int, fingerprint: str, known_hosts: str | None, line: str = ""):
        self.host, self.port, self.fingerprint, self.known_hosts = host, port, fingerprint, known_hosts
        self.line = line  # the known_hosts line that would trust this key, once the operator says so
        super().__init__(
            f"host key of {host}:{port} is not in {known_hosts or 'any known_hosts file'}: {fingerprint}. "
            f"Check it on the router (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add it to known_hosts "
            f"or set host_key_policy: accept-new for this router")


class HostKeyChanged(RouterError):
    def __init__(self, host: str, port: int, fingerprint: str, known_hosts: str | None):
        self.host, self.port, self.fingerprint, self.known_hosts = host, port, fingerprint, known_hosts
        super().__init__(
            f"HOST KEY OF {host}:{port} HAS CHANGED (now {fingerprint}); refusing to connect. Someone may be "
            f"intercepting the connection, or the router was reinstalled: verify, then fix {known_hosts}")


class CommandError(RouterError):
    pass


@dataclass
class CommandOutput:
    command: str  # what ran on the router (no secrets in it)
    stdout: str
    stderr: str
    exit_status: int | None
    json: bool = False


@dataclass
class Fetched:
    parsed: Parsed[Any]
    output: CommandOutput
    warnings: list[str] = field(default_factory=list)


def validate_prefix(value: str) -> str:
    """An address or network in canonical form, or ValueError: nothing else reaches a command line."""
    text = str(value).strip()
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or prefix") from None


def build_command(template: str, use_json: bool, via: str = VTYSH, prefix: str | None = None) -> str:
    words = TEMPLATES[template].split()
    if prefix is not None:
        words = [validate_prefix(prefix) if w == "{prefix}" else w for w in words]
    elif "{prefix}" in words:
        raise ValueError("this command needs a prefix")
    if via == WRAPPER:
        return " ".join([WRAPPER, *(shlex.quote(w) for w in words)])
    return f"{VTYSH} -c {shlex.quote(' '.join(words) + (' json' if use_json else ''))}"


def _expand(path: str | None) -> str | None:
    return str(Path(path).expanduser()) if path else None


def _host_pattern(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def append_known_host(known_hosts: str, line: str) -> None:
    path = Path(known_hosts).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line if line.endswith("\n") else line + "\n")


class _KeyCheck(asyncssh.SSHClient):
    """Sees the server key when it is not already trusted, to tell unknown from changed and to accept-new."""

    def __init__(self, host: str, port: int, known_hosts: str | None, policy: str,
                 password: Callable[[], Awaitable[str | None]] | None):
        self.host, self.port, self.known_hosts, self.policy = host, port, known_hosts, policy
        self._password = password
        self.rejected: RouterError | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        fingerprint = key.get_fingerprint("sha256")
        known = False
        if self.known_hosts and os.path.exists(self.known_hosts):
            try:
                trusted = asyncssh.match_known_hosts(self.known_hosts, self.host, addr, self.port)[0]
                known = bool(trusted)
            except (OSError, ValueError):
                known = False
        if known:
            self.rejected = HostKeyChanged(self.host, self.port, fingerprint, self.known_hosts)
            log.error("%s", self.rejected)
            return False
        line = f"{_host_pattern(self.host, self.port)} {key.export_public_key('openssh').decode().strip()}\n"
        if self.policy == "accept-new" and self.known_hosts:
            try:
                append_known_host(self.known_hosts, line)
            except OSError as exc:
                self.rejected = RouterError(f"cannot record the new host key in {self.known_hosts}: {exc}")
                return False
            log.warning("accepted new host key for %s:%s: %s", self.host, self.port, fingerprint)
            return True
        self.rejected = HostKeyUnknown(self.host, self.port, fingerprint, self.known_hosts, line)
        return False

    def password_auth_requested(self) -> Awaitable[str | None] | None:  # type: ignore[override]
        if self._password is None:
            return None
        fetch, self._password = self._password, None  # ask once per connection attempt
        return fetch()


_gc_lock = threading.Lock()
_gc_state = {"pausers": 0, "was_enabled": True}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while a big reply is decoded: json.loads and the parsers allocate millions of containers, and
    every allocation burst would trigger a collection walking everything built so far (measured: ~2x the decode
    time at 200k routes). Reference counting still frees all of it; collection resumes when the last decoder ends."""
    with _gc_lock:
        if _gc_state["pausers"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
        _gc_state["pausers"] += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["pausers"] -= 1
            if _gc_state["pausers"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


def decode(stdout: str, use_json: bool, text_parser: Callable[[str], Parsed[Any]],
           json_parser: Callable[[Any], Parsed[Any]]) -> tuple[Parsed[Any], str | None]:
    """A command's output parsed (JSON when the router was asked for JSON); the note says why text was read instead."""
    with gc_paused():
        if use_json:
            try:
                return json_parser(json.loads(stdout)), None
            except ValueError:
                if not stdout.lstrip().startswith("%"):
                    return text_parser(stdout), "did not return JSON; reading it as text"
        return text_parser(stdout), None


class RouterClient:
    def __init__(self, spec: RouterSpec, prompt: PasswordPrompt | None = None,
                 env: dict[str, str] | None = None):
        self.spec = spec
        self.prompt = prompt
        self._env = env if env is not None else os.environ
        self._conn: asyncssh.SSHClientConnection | None = None
        self._tunnel: asyncssh.SSHClientConnection | None = None
        self._lock = asyncio.Lock()
        self._failures = 0
        self._retry_at = 0.0
        self.suite: Suite | None = None
        self.via = VTYSH
        self.connects = 0  # how many connections were opened (the tests check reuse)
        self.unknown_key: HostKeyUnknown | None = None  # the last key the operator may accept

    # ---------------------------------------------------------------- connection

    def _password_source(self) -> Callable[[], Awaitable[str | None]] | None:
        spec = self.spec
        if spec.password_env:
            name = spec.password_env

            async def from_env() -> str | None:
                return self._env.get(name)

            return from_env
        if spec.password_prompt and self.prompt is not None:
            prompt = self.prompt

            async def ask() -> str | None:
                return await prompt(f"password for {spec.username}@{spec.host}")

            return ask
        return None

    async def _open(self, host: str, port: int, username: str | None, identity: str | None, known: str | None,
                    policy: str, tunnel: Any = None, password: Any = None) -> asyncssh.SSHClientConnection:
        known = _expand(known)
        checker = _KeyCheck(host, port, known, policy, password)
        options: dict[str, Any] = {
            # never None: None would turn host key checking off; () means "trust nothing", so every key is judged
            "username": username, "port": port, "known_hosts": known if known and os.path.exists(known) else (),
            "client_keys": [_expand(identity)] if identity else (), "connect_timeout": self.spec.timeout,
            "keepalive_interval": self.spec.keepalive, "keepalive_count_max": 3,
        }
        if not self.spec.use_agent:
            options["agent_path"] = None  # None turns the agent off; leaving it out uses $SSH_AUTH_SOCK
        if tunnel is not None:
            options["tunnel"] = tunnel
        try:
            conn, _ = await asyncssh.create_connection(lambda: checker, host, **options)
            return conn
        except asyncssh.HostKeyNotVerifiable as exc:
            raise checker.rejected or RouterError(f"{host}:{port}: host key not verifiable: {exc}") from None
        except asyncssh.PermissionDenied:
            tried = [what for what, used in (("ssh-agent", self.spec.use_agent), (identity, identity),
                                             ("a password", password)) if used]
            raise RouterError(f"{username}@{host}:{port}: authentication failed (tried "
                              f"{', '.join(str(t) for t in tried) or 'nothing: no key, agent or password configured'})") from None
        except TimeoutError:
            raise RouterError(f"{host}:{port}: no SSH answer within {self.spec.timeout:g}s") from None
        except (OSError, asyncssh.Error) as exc:
            if checker.rejected:
                raise checker.rejected from None
            raise RouterError(f"{host}:{port}: cannot connect: {exc}") from None

    async def _connect(self) -> asyncssh.SSHClientConnection:
        spec = self.spec
        loop = asyncio.get_running_loop()
        if self._failures and loop.time() < self._retry_at:
            raise RouterError(f"{spec.name}: reconnecting in {self._retry_at - loop.time():.0f}s "
                              f"(after {self._failures} failed attempt(s))")
        if spec.password_env and spec.password_env not in self._env and not spec.identity_file and not spec.use_agent:
            raise RouterError(f"{spec.name}: password_env names ${spec.password_env}, which is not set")
        tunnel = None
        try:
            if spec.jump is not None:
                j: JumpHost = spec.jump
                tunnel = await self._open(j.host, j.port, j.username or spec.username, j.identity_file or spec.identity_file,
                                          j.known_hosts or spec.known_hosts, spec.host_key_policy)
            conn = await self._open(spec.host, spec.port, spec.username, spec.identity_file, spec.known_hosts,
                                    spec.host_key_policy, tunnel, self._password_source())
        except RouterError as exc:
            if tunnel is not None:
                tunnel.close()
            if isinstance(exc, HostKeyUnknown):
                self.unknown_key = exc
            self._failures += 1
            self._retry_at = loop.time() + min(60.0, 0.5 * 2 ** (self._failures - 1))
            raise
        self._failures = 0
        self.unknown_key = None
        self._tunnel, self._conn = tunnel, conn
        self.connects += 1
        return conn

    async def _connection(self) -> asyncssh.SSHClientConnection:
        async with self._lock:
            if self._conn is None or self._conn.is_closed():
                await self._drop()
                return await self._connect()
            return self._conn

    async def _drop(self) -> None:
        for c in (self._conn, self._tunnel):
            if c is not None:
                c.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(c.wait_closed(), 2)
        self._conn = self._tunnel = None

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    def accept_unknown_key(self) -> str:
        """Trust the key last refused as unknown (the operator saw its fingerprint); returns that fingerprint."""
        pending = self.unknown_key
        if pending is None or not pending.line:
            raise RouterError("no unknown host key to accept")
        if not pending.known_hosts:
            raise RouterError("this router has no known_hosts file configured to record the key in")
        append_known_host(pending.known_hosts, pending.line)
        log.warning("operator accepted host key for %s:%s: %s", pending.host, pending.port, pending.fingerprint)
        self.unknown_key = None
        self._failures = 0
        return pending.fingerprint

    # ---------------------------------------------------------------- commands

    async def run_raw(self, command: str, stdin: str | None = None, timeout: float | None = None,
                      retry: bool = True) -> CommandOutput:
        """Run one already-built command; a dead reused connection is reopened once (`retry`: reads only -- a
        configuration write that may have reached the router is never sent twice)."""
        timeout = timeout or self.spec.timeout
        for attempt in (0, 1) if retry else (1,):
            conn = await self._connection()
            try:
                res = await asyncio.wait_for(conn.run(command, input=stdin, check=False), timeout)
            except TimeoutError:
                # the hung command's channel would stay open on the router (sshd allows ~10 per connection):
                # start the next command on a fresh connection instead
                async with self._lock:
                    await self._drop()
                raise RouterError(f"{self.spec.name}: `{command}` gave no answer within {timeout:g}s") from None
            except (asyncssh.ConnectionLost, asyncssh.DisconnectError, asyncssh.ChannelOpenError, OSError) as exc:
                async with self._lock:
                    await self._drop()
                if attempt:
                    raise RouterError(f"{self.spec.name}: connection lost: {exc}") from None
                continue
            if res.exit_status is None and res.exit_signal is None:
                # the channel closed without an exit status: the link dropped mid-output, so what arrived is
                # a truncated table that would parse as "fewer routes" -- never hand it on as an answer
                async with self._lock:
                    await self._drop()
                if attempt:
                    raise RouterError(f"{self.spec.name}: connection dropped during `{command}` "
                                      f"(after {len(res.stdout or '')} bytes); output discarded")
                continue
            out = res.stdout if isinstance(res.stdout, str) else (res.stdout or b"").decode("utf-8", "replace")
            err = res.stderr if isinstance(res.stderr, str) else (res.stderr or b"").decode("utf-8", "replace")
            return CommandOutput(command, out or "", err or "", res.exit_status)
        raise RouterError("unreachable")  # pragma: no cover

    async def detect(self) -> Suite:
        """Which routing suite answers, once per client (vtysh first, then the VyOS op-mode wrapper)."""
        if self.suite is not None:
            return self.suite
        if self.spec.kind in ("frr", "quagga"):
            self.suite = Suite(self.spec.kind)
        out = await self.run_raw(build_command("version", False))
        missing = out.exit_status == 127 or "not found" in out.stderr
        if missing:
            wrapped = await self.run_raw(build_command("version", False, WRAPPER))
            if wrapped.exit_status == 127 or "not found" in wrapped.stderr:
                raise RouterError(f"{self.spec.name}: neither vtysh nor {WRAPPER} is available "
                                  f"(is the user in group frrvty/quaggavty?): {out.stderr.strip()[:200]}")
            self.via = WRAPPER
            out = wrapped
        found = detect_suite(out.stdout)
        if self.suite is None or (found.name == self.suite.name and found.version):
            self.suite = found
        return self.suite

    async def _run(self, template: str, prefix: str | None = None) -> tuple[CommandOutput, list[str]]:
        suite = await self.detect()
        use_json = suite.json and self.via == VTYSH
        out = await self.run_raw(build_command(template, use_json, self.via, prefix))
        out.json = use_json
        warnings = [f"{self.spec.name}: stderr of `{out.command}`: {line}" for line in out.stderr.splitlines() if line.strip()]
        head = out.stdout.lstrip()
        if head.startswith(UNKNOWN_MARKERS):
            raise CommandError(f"{self.spec.name}: the router does not know `{out.command}`: {head.splitlines()[0]}")
        if out.exit_status not in (0, None) and not head:
            raise CommandError(f"{self.spec.name}: `{out.command}` exited {out.exit_status}: "
                               f"{out.stderr.strip()[:300] or 'no output'}")
        return out, warnings

    async def _fetch(self, template: str, text_parser: Callable[[str], Parsed[Any]],
                     json_parser: Callable[[Any], Parsed[Any]], prefix: str | None = None) -> Fetched:
        out, warnings = await self._run(template, prefix)
        # a 200k-route table takes a second or two to read: off the event loop, so the UI keeps answering
        parsed, note = await asyncio.to_thread(decode, out.stdout, out.json, text_parser, json_parser)
        if note:
            warnings.append(f"{self.spec.name}: `{out.command}` {note}")
        return Fetched(parsed, out, warnings)

    async def neighbors(self) -> Fetched:
        return await self._fetch("summary", parse_summary_text, parse_summary_json)

    async def routes(self) -> Fetched:
        return await self._fetch("routes", parse_route_text, parse_route_json)

    async def bgp_prefix(self, prefix: str) -> Fetched:
        return await self._fetch("prefix", parse_bgp_prefix_text, parse_bgp_prefix_json, validate_prefix(prefix))


__all__ = ["BgpPath", "CommandError", "CommandOutput", "Fetched", "HostKeyChanged", "HostKeyUnknown", "Neighbor",
           "Route", "RouterClient", "RouterError", "build_command", "validate_prefix"]
