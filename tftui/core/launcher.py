"""Logging into a VM through its compute: the cluster's ``ssh:`` settings, the ssh config for the hops, the argv.

A metadata IP (169.254.x.y) only means something on its own compute, so the VM hop always goes
through that compute (``-J``) and its host key is recorded under an alias made of the compute and
the metadata IP (``HostKeyAlias``), never under the bare 169.254 address that every compute reuses.
OpenSSH takes no command-line option for a ``-J`` hop, so the compute's (and the bastion's) user,
port, key and known_hosts go into an ssh config that tftui writes for the cluster and hands to OpenSSH
as ``-F`` (OpenSSH passes ``-F`` on to the hops); that file includes the operator's own ssh config at
its end, so everything tftui does not set stays as the operator has it.
Everything that reaches an argv or the ssh config is validated here first; the argv is a list, never a
shell string.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from .agent import InvalidInput, Vmi, validate_metadata_ip, validate_user
from .config_values import (
    ConfigError,
    JumpHost,
    hop_spec,
    parse_jump,
    parse_number,
    parse_path,
    parse_port,
    parse_user,
    validate_address,
)

DEFAULT_COMPUTE_USER = "root"
DEFAULT_VM_USER = "cirros"
DEFAULT_CONNECT_TIMEOUT = 10.0
METADATA_HOSTS = "169.254.*"  # the VM hop: its settings are on the command line, never the computes'


@dataclass(frozen=True)
class HopSettings:
    username: str
    port: int = 22
    identity_file: str | None = None
    known_hosts: str | None = None  # None: the user's own (~/.ssh/known_hosts) applies


@dataclass(frozen=True)
class SshSettings:
    compute: HopSettings = HopSettings(DEFAULT_COMPUTE_USER)
    vm: HopSettings = HopSettings(DEFAULT_VM_USER)
    jump: JumpHost | None = None  # a bastion in front of the computes
    config_file: str | None = None  # the operator's ssh config to include instead of ~/.ssh/config + the system's
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    users_by_vn: dict[str, str] = field(default_factory=dict)  # VN fq-name or short name -> VM user
    users_by_name: dict[str, str] = field(default_factory=dict)  # VM-name glob (images show in names) -> user
    compute_configured: bool = False  # the config has an ``ssh.compute`` (the compute detail pane logs in only then)

    def user_for(self, vmi: Vmi) -> str:
        """Per VM-name pattern first (image-specific users), then per VN, then the default."""
        for pattern, user in self.users_by_name.items():
            if fnmatch.fnmatchcase(vmi.vm_name, pattern):
                return user
        for vn in (vmi.vn, vmi.vn_short):
            if vn in self.users_by_vn:
                return self.users_by_vn[vn]
        return self.vm.username

    @property
    def jump_hop(self) -> HopSettings | None:
        """The bastion's own settings; what it leaves unset is the computes' (it is logged into like them)."""
        j = self.jump
        if j is None:
            return None
        return HopSettings(j.username or self.compute.username, j.port, j.identity_file or self.compute.identity_file,
                           j.known_hosts or self.compute.known_hosts)


def _hop(d: Any, where: str, default_user: str, default_port: int = 22) -> HopSettings:
    if d is None:
        d = {}
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return HopSettings(
        username=parse_user(d.get("username", default_user), f"{where}.username"),
        port=parse_port(d.get("port", default_port), f"{where}.port"),
        identity_file=parse_path(d.get("identity_file"), f"{where}.identity_file"),
        known_hosts=parse_path(d.get("known_hosts"), f"{where}.known_hosts"),
    )


def _user_map(d: Any, where: str) -> dict[str, str]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping of name -> user")
    return {str(k): parse_user(v, f"{where}.{k}") for k, v in d.items()}


def parse_ssh_settings(value: Any, where: str = "ssh") -> SshSettings:
    """A cluster's ``ssh:`` mapping (None: every default)."""
    d = {} if value is None else value
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping")
    compute_raw = {} if d.get("compute") is None else d["compute"]
    vm_raw = {} if d.get("vm") is None else d["vm"]
    return SshSettings(
        compute=_hop(compute_raw, f"{where}.compute", DEFAULT_COMPUTE_USER),
        vm=_hop(vm_raw, f"{where}.vm", DEFAULT_VM_USER),
        jump=parse_jump(compute_raw.get("jump") if isinstance(compute_raw, dict) else None, f"{where}.compute.jump"),
        config_file=parse_path(d.get("config_file"), f"{where}.config_file"),
        connect_timeout=parse_number(d.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT), f"{where}.connect_timeout",
                                     0.1, 300),
        users_by_vn=_user_map(vm_raw.get("users_by_vn") if isinstance(vm_raw, dict) else None, f"{where}.vm.users_by_vn"),
        users_by_name=_user_map(vm_raw.get("users_by_name") if isinstance(vm_raw, dict) else None,
                                f"{where}.vm.users_by_name"),
        compute_configured=bool(d.get("compute")),
    )


# ------------------------------------------------------------------------------------ the hops' ssh config


def _config_path(path: str) -> str:
    """A file name as an ssh config line takes it: double-quoted, ``%`` doubled (OpenSSH expands %-tokens); a
    quote, a backslash (OpenSSH's escape inside quotes) or a line break could end the value early: refused."""
    if any(c in path for c in '"\\\n\r\0'):
        raise InvalidInput(f"{path[:60]!r}: cannot be written into an ssh config")
    return '"' + path.replace("%", "%%") + '"'


def _hop_lines(hop: HopSettings, connect_timeout: float) -> list[str]:
    lines = [f"    User {validate_user(hop.username)}", f"    Port {int(hop.port)}",
             f"    ConnectTimeout {max(1, int(connect_timeout))}"]
    if hop.identity_file:
        lines += [f"    IdentityFile {_config_path(hop.identity_file)}", "    IdentitiesOnly yes"]
    if hop.known_hosts:
        lines.append(f"    UserKnownHostsFile {_config_path(hop.known_hosts)}")
    return lines


def hops_ssh_config(settings: SshSettings, cluster: str, includes: list[str]) -> str:
    """The ssh config tftui hands OpenSSH as ``-F``: the bastion's block, the computes' block (every host but a
    metadata IP: the VM hop is configured on the command line), then the operator's own config, included.

    For each setting OpenSSH keeps the first value it reads, so tftui's settings win for its hops and the
    operator's config fills in the rest (ciphers, agent, ControlMaster, ...) as it would without tftui."""
    name = re.sub(r"[^\x20-\x7e]", "?", cluster)[:80]
    lines = [f"# Written by tftui for cluster {name!r} from its ssh: settings; rewritten before each login.",
             "# OpenSSH reads it as -F and hands it on to the -J hops, which take no options from the command line."]
    jump = settings.jump_hop
    if settings.jump is not None and jump is not None:
        lines += ["", "# the bastion (ssh.compute.jump)", f"Host {validate_address(settings.jump.host, 'jump')}",
                  *_hop_lines(jump, settings.connect_timeout)]
    lines += ["", "# the computes (ssh.compute); the VM hop's settings are on the command line",
              f"Host * !{METADATA_HOSTS}", *_hop_lines(settings.compute, settings.connect_timeout),
              "", "# everything else: the operator's own ssh config", "Host *"]
    lines += [f"Include {_config_path(p)}" for p in includes]
    return "\n".join(lines) + "\n"


_SHELL_SAFE = re.compile(r"^/[A-Za-z0-9_./+,@=-]+$")


def check_config_path(path: str) -> str:
    """OpenSSH builds the ``-J`` hop's command line with ``-F PATH`` unquoted and runs it through the shell:
    the path of the generated config must be absolute and plain."""
    if not _SHELL_SAFE.match(path) or ".." in path.split("/"):
        raise InvalidInput(f"{path[:80]!r}: tftui's ssh config must live under a plain absolute path (OpenSSH passes "
                           f"it through a shell to the jump hops); set TFTUI_STATE_DIR to one")
    return path


# ------------------------------------------------------------------------------------ argv


def known_hosts_name(host: str, port: int = 22) -> str:
    """How OpenSSH names a host in known_hosts: ``host``, or ``[host]:port`` off port 22."""
    return host if port == 22 else f"[{host}]:{port}"


def host_key_alias(compute: str, metadata_ip: str) -> str:
    """The known_hosts name of a VM: its compute and its metadata IP (the IP alone is ambiguous)."""
    return f"{validate_address(compute, 'compute')}-{validate_metadata_ip(metadata_ip)}"


@dataclass(frozen=True)
class SshTarget:
    """One VM as the launcher reaches it: validated compute address, metadata IP and user."""

    compute: str
    metadata_ip: str
    user: str
    vm_name: str = ""

    @property
    def alias(self) -> str:
        return host_key_alias(self.compute, self.metadata_ip)


def target_for(vmi: Vmi, settings: SshSettings, user: str | None = None) -> SshTarget:
    try:
        compute = validate_address(vmi.vrouter_address, "compute")
    except ConfigError as exc:
        raise InvalidInput(str(exc)) from None
    return SshTarget(compute, validate_metadata_ip(vmi.metadata_ip), validate_user(user or settings.user_for(vmi)),
                     vmi.vm_name)


def ssh_argv(target: SshTarget, settings: SshSettings, command: list[str] | None = None, program: str = "ssh",
             extra_options: list[str] | None = None, config_path: str | None = None) -> list[str]:
    """The OpenSSH command line: ``ssh -F HOPS_CONFIG -J root@COMPUTE -o HostKeyAlias=COMPUTE-MDIP ... --
    cirros@169.254.x.y``; ``config_path`` is the file ``hops_ssh_config`` was written to (the compute's and the
    bastion's settings are in it; only the VM hop's are on the command line)."""
    compute = validate_address(target.compute, "compute")
    mdip = validate_metadata_ip(target.metadata_ip)
    user = validate_user(target.user)
    argv = [program]
    if config_path:
        argv += ["-F", check_config_path(config_path)]
    hops = [settings.jump.spec()] if settings.jump else []
    hops.append(hop_spec(compute, settings.compute.port, settings.compute.username))
    argv += ["-J", ",".join(hops)]
    argv += ["-o", f"HostKeyAlias={host_key_alias(compute, mdip)}"]
    if settings.vm.known_hosts:
        argv += ["-o", f"UserKnownHostsFile={_option_path(settings.vm.known_hosts)}"]
    if settings.vm.identity_file:
        argv += ["-i", settings.vm.identity_file]
    argv += ["-o", f"ConnectTimeout={max(1, int(settings.connect_timeout))}"]
    argv += list(extra_options or [])
    argv += ["-p", str(settings.vm.port), "--", f"{user}@{mdip}"]
    if command:
        argv += command
    return argv


def _option_path(path: str) -> str:
    """A file name inside ``-o Key=value``: OpenSSH splits such values on blanks unless double-quoted."""
    if '"' in path:
        raise InvalidInput(f"{path[:60]!r}: a double quote cannot be passed to OpenSSH")
    return f'"{path}"' if any(c.isspace() for c in path) else path


def display_command(argv: list[str]) -> str:
    """The argv as a line to copy into a terminal (each word quoted where the shell needs it)."""
    return shlex.join(argv)


def explain_refusal(stderr: str, target: SshTarget, settings: SshSettings) -> str | None:
    """A sentence for an OpenSSH run that stopped at a host key (what it printed is in ``stderr``): which hop's
    key, what tftui compared it with, how to go on if the change is expected. None for any other failure."""
    changed = "REMOTE HOST IDENTIFICATION HAS CHANGED" in stderr
    if not changed and "Host key verification failed" not in stderr:
        return None
    vm_file = settings.vm.known_hosts or "~/.ssh/known_hosts"
    if target.alias in stderr or not any(h in stderr for h in (target.compute, *_jump_names(settings))):
        hop, name, file = f"VM {target.vm_name or target.metadata_ip} ({target.metadata_ip} via {target.compute})", \
            target.alias, vm_file
    else:
        jump = settings.jump
        on_jump = jump is not None and jump.host in stderr and target.compute not in stderr
        hop_settings = settings.jump_hop if on_jump and settings.jump_hop else settings.compute
        host = jump.host if on_jump and jump is not None else target.compute
        hop, name = (f"jump host {host}" if on_jump else f"compute {host}"), known_hosts_name(host, hop_settings.port)
        file = hop_settings.known_hosts or "~/.ssh/known_hosts"
    if changed:
        return (f"refused: the host key of {hop} is not the one recorded as {name} in {file}; host keys are "
                f"verified on every hop. If the machine was rebuilt, check its new key, then remove the old one: "
                f"ssh-keygen -R {shlex.quote(name)} -f {shlex.quote(file)}")
    return (f"refused: the host key of {hop} is not known as {name} in {file}, and OpenSSH could not ask (no "
            f"terminal, or BatchMode); record it first, e.g. by logging in once interactively")


def _jump_names(settings: SshSettings) -> tuple[str, ...]:
    return (settings.jump.host,) if settings.jump else ()
