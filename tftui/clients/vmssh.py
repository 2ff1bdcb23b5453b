"""SSH to computes and, through them, to VMs by metadata IP (asyncssh), with host keys always verified.

The VM hop is checked against known_hosts under the alias ``COMPUTE-METADATA_IP`` only: the bare
169.254 address is reused by every compute, so a key recorded for it proves nothing about this VM.
Every stage (jump, compute, VM, command) runs under a deadline and fails with a sentence that says
which hop failed and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncssh

from tftui.core.config_values import JumpHost
from tftui.core.launcher import SshSettings, SshTarget

DEFAULT_COMMAND_TIMEOUT = 30.0
MAX_OUTPUT = 256 * 1024


class SshError(Exception):
    """A hop that could not be used; the message names the hop and the reason."""


@dataclass
class RunResult:
    target: SshTarget
    stdout: str = ""
    stderr: str = ""
    exit_status: int | None = None
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_status == 0


def _expand(path: str | None) -> str | None:
    return os.path.expanduser(path) if path else None


def _default_known_hosts() -> str:
    return os.path.expanduser("~/.ssh/known_hosts")


def _known_hosts_file(configured: str | None, what: str) -> str:
    """The known_hosts to check ``what`` against; a missing file is a clear refusal, not an OS error."""
    path = _expand(configured) or _default_known_hosts()
    if not os.path.isfile(path):
        raise SshError(f"{what}: no known_hosts file {path}; record the host key first "
                       f"(ssh to it once, or ssh-keyscan), host key checking stays on")
    return path


def alias_only_known_hosts(path: str, alias: str) -> Callable:
    """A known_hosts check that looks the host up under ``alias`` and nothing else (no address match)."""
    try:
        known = asyncssh.read_known_hosts(path)
    except FileNotFoundError:
        known = asyncssh.import_known_hosts("")
    except (OSError, ValueError) as exc:
        raise SshError(f"cannot read known_hosts {path}: {exc}") from None

    def check(host: str, addr: str, port: int | None):
        return known.match(alias, "", None)

    return check


def _why(exc: BaseException) -> str:
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return f"host key NOT verified ({exc.reason}); refusing to connect"
    if isinstance(exc, asyncssh.PermissionDenied):
        return "permission denied (key not accepted)"
    if isinstance(exc, asyncssh.ChannelOpenError):
        return exc.reason or "forwarding refused"
    if isinstance(exc, asyncssh.DisconnectError):
        return f"disconnected: {exc.reason}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return f"{type(exc).__name__}: {exc}"[:200]


class HopConnector:
    """Opens (and shares) connections to computes, through the configured jump host if any."""

    def __init__(self, settings: SshSettings):
        self.settings = settings
        self._computes: dict[str, asyncio.Task] = {}
        self._jump: asyncio.Task | None = None
        self._conns: list[asyncssh.SSHClientConnection] = []

    def _common(self) -> dict:
        return {"connect_timeout": self.settings.connect_timeout, "keepalive_interval": 15,
                "login_timeout": self.settings.connect_timeout}

    async def _open_jump(self, jump: JumpHost) -> asyncssh.SSHClientConnection:
        hop = self.settings.jump_hop or self.settings.compute  # its own settings, else the computes' behind it
        keys = [_expand(hop.identity_file)] if hop.identity_file else None
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                conn = await asyncssh.connect(
                    jump.host, jump.port, username=hop.username, client_keys=keys,
                    known_hosts=_known_hosts_file(hop.known_hosts, f"jump host {jump.host}"), **self._common())
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            raise SshError(f"jump host {jump.host}:{jump.port}: {_why(exc)}") from None
        self._conns.append(conn)
        return conn

    async def _open_compute(self, compute: str) -> asyncssh.SSHClientConnection:
        hop = self.settings.compute
        tunnel = None
        if self.settings.jump is not None:
            if self._jump is None:
                self._jump = asyncio.ensure_future(self._open_jump(self.settings.jump))
            tunnel = await self._jump
        keys = [_expand(hop.identity_file)] if hop.identity_file else ()
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                conn = await asyncssh.connect(
                    compute, hop.port, tunnel=tunnel, username=hop.username,
                    client_keys=keys or None, known_hosts=_known_hosts_file(hop.known_hosts, f"compute {compute}"),
                    **self._common())
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            raise SshError(f"compute {compute}:{hop.port}: {_why(exc)}") from None
        self._conns.append(conn)
        return conn

    async def compute(self, compute: str) -> asyncssh.SSHClientConnection:
        task = self._computes.get(compute)
        if task is None or (task.done() and task.exception() is not None):
            task = self._computes[compute] = asyncio.ensure_future(self._open_compute(compute))
        return await asyncio.shield(task)

    async def vm(self, target: SshTarget) -> asyncssh.SSHClientConnection:
        compute = await self.compute(target.compute)
        vm = self.settings.vm
        known = alias_only_known_hosts(_expand(vm.known_hosts) or _default_known_hosts(), target.alias)
        keys = [_expand(vm.identity_file)] if vm.identity_file else None
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                conn = await asyncssh.connect(
                    target.metadata_ip, vm.port, tunnel=compute, username=target.user, client_keys=keys,
                    known_hosts=known, host_key_alias=target.alias, **self._common())
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            raise SshError(f"VM {target.metadata_ip} via {target.compute}: {_why(exc)}") from None
        self._conns.append(conn)
        return conn

    async def close(self) -> None:
        for task in self._computes.values():
            if not task.done():
                task.cancel()
        for conn in reversed(self._conns):
            conn.close()
        for conn in self._conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 2)
        self._conns.clear()
        self._computes.clear()


async def run_command(conn: asyncssh.SSHClientConnection, command: str, timeout: float) -> tuple[str, str, int]:
    """One command on an open connection; output capped, deadline enforced."""
    try:
        async with asyncio.timeout(timeout):
            proc = await conn.run(command, check=False, stdin=asyncssh.DEVNULL)
    except TimeoutError:
        raise SshError(f"command did not finish within {timeout:g}s") from None
    except (OSError, asyncssh.Error) as exc:
        raise SshError(f"command failed: {_why(exc)}") from None
    out = proc.stdout if isinstance(proc.stdout, str) else (proc.stdout or b"").decode("utf-8", "replace")
    err = proc.stderr if isinstance(proc.stderr, str) else (proc.stderr or b"").decode("utf-8", "replace")
    status = proc.exit_status if proc.exit_status is not None else -1
    return out[:MAX_OUTPUT], err[:MAX_OUTPUT], status


async def run_on_vms(settings: SshSettings, targets: list[SshTarget], command: str,
                     command_timeout: float = DEFAULT_COMMAND_TIMEOUT, concurrency: int = 16) -> list[RunResult]:
    """``command`` on every target, through each one's compute; one result per target, in order."""
    connector = HopConnector(settings)
    sem = asyncio.Semaphore(max(1, concurrency))

    async def one(target: SshTarget) -> RunResult:
        started = time.monotonic()
        async with sem:
            try:
                conn = await connector.vm(target)
                out, err, status = await run_command(conn, command, command_timeout)
                return RunResult(target, out, err, status, None, time.monotonic() - started)
            except SshError as exc:
                return RunResult(target, error=str(exc), elapsed=time.monotonic() - started)

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        await connector.close()


async def run_on_compute(settings: SshSettings, compute: str, commands: list[str],
                         command_timeout: float = DEFAULT_COMMAND_TIMEOUT) -> list[tuple[str, str, int]]:
    """Fixed commands on one compute (no VM hop); raises SshError."""
    connector = HopConnector(settings)
    try:
        conn = await connector.compute(compute)
        return [await run_command(conn, c, command_timeout) for c in commands]
    finally:
        await connector.close()
