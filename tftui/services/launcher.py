"""Launching SSH into VMs: the OpenSSH argv for an interactive session, run-command, compute details."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

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
from tftui.core.inventory import ClusterSpec, ConfigError, validate_address
from tftui.core.launcher import (
    HopSettings,
    SshSettings,
    SshTarget,
    display_command,
    parse_ssh_settings,
    ssh_argv,
    target_for,
)

MAX_COMMAND = 1024


@dataclass
class ComputeDetail:
    compute: str
    runtime: str = ""  # docker | crictl
    containers: list[Container] = field(default_factory=list)
    module: str = ""  # "vrouter kernel module is PRESENT" / "... NOT PRESENT"
    error: str | None = None


def _expand_hop(hop: HopSettings) -> HopSettings:
    ex = os.path.expanduser
    return replace(hop, identity_file=ex(hop.identity_file) if hop.identity_file else None,
                   known_hosts=ex(hop.known_hosts) if hop.known_hosts else None)


def check_command(command: str) -> str:
    """A run-command line: one line, printable, bounded. It runs in the VM's own shell, as typed."""
    if not command.strip():
        raise InvalidInput("empty command")
    if len(command) > MAX_COMMAND or any(c in command for c in "\n\r\0"):
        raise InvalidInput("the command must be a single line of at most 1024 characters")
    return command.strip()


class Launcher:
    """Built from a ClusterSpec (its ``ssh:`` key); used by the `:vmi` screen and `tftui ssh`."""

    def __init__(self, spec: ClusterSpec, settings: SshSettings | None = None):
        self.spec = spec
        s = settings or parse_ssh_settings(spec.raw, f"clusters.{spec.name}")
        self.settings = replace(s, compute=_expand_hop(s.compute), vm=_expand_hop(s.vm),
                                config_file=os.path.expanduser(s.config_file) if s.config_file else None)

    def target(self, vmi: Vmi, user: str | None = None) -> SshTarget:
        return target_for(vmi, self.settings, user)

    def ssh_argv(self, vmi: Vmi, command: list[str] | None = None, user: str | None = None,
                 extra_options: list[str] | None = None) -> list[str]:
        return ssh_argv(self.target(vmi, user), self.settings, command, extra_options=extra_options)

    def command_line(self, vmi: Vmi, user: str | None = None) -> str:
        """What to paste into a terminal where the TUI cannot hand the terminal over (textual serve)."""
        return display_command(self.ssh_argv(vmi, user=user))

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
