"""Launching SSH into VMs: the OpenSSH argv for an interactive session, run-command, compute details.

The compute's and the bastion's settings reach OpenSSH through an ssh config written for the cluster in
tftui's state dir (``ssh/CLUSTER.ssh_config``, mode 0600), which includes the operator's own ssh config
(``ssh.config_file``, else ~/.ssh/config and the system's) for everything tftui does not set.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from tftui.clients.vmssh import DEFAULT_COMMAND_TIMEOUT, RunResult, SshError, run_on_compute, run_on_vms
from tftui.core.agent import InvalidInput, Vmi
from tftui.core.compute import (
    CONTAINERS_COMMAND,
    MODULE_COMMAND,
    ComputeParseError,
    Container,
    module_line,
    parse_containers,
)
from tftui.core.config_values import JumpHost
from tftui.core.inventory import ClusterSpec, ConfigError, validate_address
from tftui.core.launcher import (
    HopSettings,
    SshSettings,
    SshTarget,
    display_command,
    explain_refusal,
    hops_ssh_config,
    ssh_argv,
    target_for,
)

from .config import state_dir

SYSTEM_SSH_CONFIG = "/etc/ssh/ssh_config"

MAX_COMMAND = 1024


@dataclass
class ComputeDetail:
    compute: str
    runtime: str = ""  # docker | crictl
    containers: list[Container] = field(default_factory=list)
    module: str = ""  # "vrouter kernel module is PRESENT" / "... NOT PRESENT"
    error: str | None = None


def _expand(path: str | None) -> str | None:
    return os.path.expanduser(path) if path else None


def _expand_hop(hop: HopSettings | JumpHost) -> HopSettings | JumpHost:
    return replace(hop, identity_file=_expand(hop.identity_file), known_hosts=_expand(hop.known_hosts))


def expanded(settings: SshSettings) -> SshSettings:
    """``~`` expanded in every file name, as OpenSSH and asyncssh must be given them."""
    return replace(settings, compute=_expand_hop(settings.compute), vm=_expand_hop(settings.vm),
                   jump=_expand_hop(settings.jump) if settings.jump else None,
                   config_file=_expand(settings.config_file))


def ssh_config_path(cluster: str) -> Path:
    """Where the cluster's generated ssh config lives: a readable name and a hash (names may be anything)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", cluster)[:40].strip(".") or "cluster"
    digest = hashlib.sha256(cluster.encode()).hexdigest()[:8]
    return state_dir() / "ssh" / f"{slug}-{digest}.ssh_config"


def write_private(path: Path, text: str) -> None:
    """Atomically, mode 0600 in a 0700 directory: two launches at once never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run_openssh(argv: list[str]) -> tuple[int, str]:
    """Run OpenSSH with the terminal's stdin and stdout; its stderr is passed on as it comes and its last 16 KB
    kept (its warnings are what says why it refused). Raises FileNotFoundError without an ssh binary."""
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    tail = b""
    while True:
        try:
            chunk = proc.stderr.read1(65536)
        except KeyboardInterrupt:  # ^C without a remote terminal reaches ssh too: let it finish and report
            continue
        if not chunk:
            break
        sys.stderr.buffer.write(chunk)
        sys.stderr.buffer.flush()
        tail = (tail + chunk)[-16384:]
    while True:
        try:
            return proc.wait(), tail.decode("utf-8", "replace")
        except KeyboardInterrupt:
            continue


def check_command(command: str) -> str:
    """A run-command line: one line, printable, bounded. It runs in the VM's own shell, as typed."""
    if not command.strip():
        raise InvalidInput("empty command")
    if len(command) > MAX_COMMAND or any(c in command for c in "\n\r\0"):
        raise InvalidInput("the command must be a single line of at most 1024 characters")
    return command.strip()


class Launcher:
    """Built from a ClusterSpec (its ``ssh:`` settings); used by the `:vmi` screen and `tftui ssh`."""

    def __init__(self, spec: ClusterSpec, settings: SshSettings | None = None):
        self.spec = spec
        self.settings = expanded(settings or spec.ssh)
        self.config_path = ssh_config_path(spec.name)

    def target(self, vmi: Vmi, user: str | None = None) -> SshTarget:
        return target_for(vmi, self.settings, user)

    def includes(self) -> list[str]:
        """The operator's ssh config, as OpenSSH would read it without ``-F``: ``ssh.config_file`` replaces both."""
        if self.settings.config_file:
            return [self.settings.config_file]
        return [os.path.expanduser("~/.ssh/config"), SYSTEM_SSH_CONFIG]

    def write_ssh_config(self) -> str:
        """(Re)write the cluster's ssh config from the current settings; its path, for ``-F``."""
        try:
            write_private(self.config_path, hops_ssh_config(self.settings, self.spec.name, self.includes()))
        except OSError as exc:
            raise InvalidInput(f"cannot write tftui's ssh config {self.config_path}: {exc.strerror or exc}") from None
        return str(self.config_path)

    def ssh_argv(self, vmi: Vmi, command: list[str] | None = None, user: str | None = None,
                 extra_options: list[str] | None = None) -> list[str]:
        target = self.target(vmi, user)
        return ssh_argv(target, self.settings, command, extra_options=extra_options,
                        config_path=self.write_ssh_config())

    def interactive(self, vmi: Vmi, command: list[str] | None = None, user: str | None = None) -> int:
        """OpenSSH in this terminal (``tftui ssh``); a refusal at a host key is explained after what OpenSSH said."""
        argv = self.ssh_argv(vmi, command, user)
        status, stderr = run_openssh(argv)
        if status == 255:
            why = explain_refusal(stderr, self.target(vmi, user), self.settings)
            if why:
                print(f"tftui: {why}", file=sys.stderr)
        return status

    def command_line(self, vmi: Vmi, user: str | None = None, command: list[str] | None = None) -> str:
        """What to paste into a terminal where the TUI cannot hand the terminal over (textual serve)."""
        return display_command(self.ssh_argv(vmi, command, user=user))

    async def run(self, vmis: list[Vmi], command: str, timeout: float = DEFAULT_COMMAND_TIMEOUT) -> list[RunResult]:
        """One result per interface, in the order given; refused inputs get an error, not a connection."""
        command = check_command(command)
        slots: list[SshTarget | RunResult] = []
        for v in vmis:
            try:
                slots.append(self.target(v))
            except InvalidInput as exc:
                slots.append(RunResult(SshTarget(v.vrouter_address, v.metadata_ip, "?", v.vm_name), error=str(exc)))
        targets = [s for s in slots if isinstance(s, SshTarget)]
        done = iter(await run_on_vms(self.settings, targets, command, timeout) if targets else [])
        return [next(done) if isinstance(s, SshTarget) else s for s in slots]

    async def compute_detail(self, compute_address: str, timeout: float = 15.0) -> ComputeDetail:
        """The container table and the vrouter module line, as contrail-status shows them locally."""
        detail = ComputeDetail(compute_address)
        try:
            validate_address(compute_address, "compute")  # asyncssh takes no shell, but an option-like name is no host
        except ConfigError as exc:
            detail.error = str(exc)
            return detail
        try:
            (cout, _, _), (mout, _, _) = await run_on_compute(
                self.settings, compute_address, [CONTAINERS_COMMAND, MODULE_COMMAND], timeout)
        except SshError as exc:
            detail.error = str(exc)
            return detail
        detail.module = module_line(mout)
        try:
            detail.runtime, detail.containers = parse_containers(cout)
        except ComputeParseError as exc:
            detail.error = str(exc)
        return detail
