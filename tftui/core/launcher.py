"""Logging into a VM through its compute: the cluster's ``ssh:`` settings and the exact OpenSSH argv.

A metadata IP (169.254.x.y) only means something on its own compute, so the VM hop always goes
through that compute (``-J``) and its host key is recorded under an alias made of the compute and
the metadata IP (``HostKeyAlias``), never under the bare 169.254 address that every compute reuses.
Everything that reaches an argv is validated here first; the argv is a list, never a shell string.
"""

from __future__ import annotations

import fnmatch
import shlex
from dataclasses import dataclass, field
from typing import Any

from .agent import InvalidInput, Vmi, validate_metadata_ip, validate_user
from .inventory import ConfigError, validate_address

DEFAULT_COMPUTE_USER = "root"
DEFAULT_VM_USER = "cirros"
DEFAULT_CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class HopSettings:
    username: str
    port: int = 22
    identity_file: str | None = None
    known_hosts: str | None = None  # None: the user's own (~/.ssh/known_hosts) applies


@dataclass(frozen=True)
class JumpHost:
    host: str
    port: int = 22
    username: str | None = None

    def spec(self) -> str:
        return hop_spec(self.host, self.port, self.username)


@dataclass(frozen=True)
class SshSettings:
    compute: HopSettings = HopSettings(DEFAULT_COMPUTE_USER)
    vm: HopSettings = HopSettings(DEFAULT_VM_USER)
    jump: JumpHost | None = None  # a bastion in front of the computes
    config_file: str | None = None  # handed to OpenSSH as -F (it passes -F on to the -J hop too)
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    users_by_vn: dict[str, str] = field(default_factory=dict)  # VN fq-name or short name -> VM user
    users_by_name: dict[str, str] = field(default_factory=dict)  # VM-name glob (images show in names) -> user

    def user_for(self, vmi: Vmi) -> str:
        """Per VM-name pattern first (image-specific users), then per VN, then the default."""
        for pattern, user in self.users_by_name.items():
            if fnmatch.fnmatchcase(vmi.vm_name, pattern):
                return user
        for vn in (vmi.vn, vmi.vn_short):
            if vn in self.users_by_vn:
                return self.users_by_vn[vn]
        return self.vm.username


def _port(value: Any, where: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{where}: {port} is out of range")
    return port


def _user(value: Any, where: str) -> str:
    try:
        return validate_user(str(value))
    except InvalidInput as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _path(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if any(c in text for c in '\n\r\0"') or text.startswith("-"):
        raise ConfigError(f"{where}: {text[:60]!r} is not a usable file name")
    return text


def _hop(d: Any, where: str, default_user: str, default_port: int = 22) -> HopSettings:
    if d is None:
        d = {}
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return HopSettings(
        username=_user(d.get("username", default_user), f"{where}.username"),
        port=_port(d.get("port", default_port), f"{where}.port"),
        identity_file=_path(d.get("identity_file"), f"{where}.identity_file"),
        known_hosts=_path(d.get("known_hosts"), f"{where}.known_hosts"),
    )


def parse_jump(value: Any, where: str) -> JumpHost | None:
    """``[user@]host[:port]`` or a mapping {host, port, username}."""
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        host, port, user = value.get("host"), value.get("port", 22), value.get("username")
    else:
        text = str(value)
        user, _, rest = text.rpartition("@") if "@" in text else (None, "", text)
        port = 22
        if rest.startswith("["):
            host, _, tail = rest[1:].partition("]")
            if tail.startswith(":"):
                port = tail[1:]
        elif rest.count(":") == 1:
            host, port = rest.split(":")
        else:
            host = rest
    if not host:
        raise ConfigError(f"{where}: no host")
    return JumpHost(validate_address(str(host), where), _port(port, f"{where}.port"),
                    _user(user, f"{where}.username") if user else None)


def _user_map(d: Any, where: str) -> dict[str, str]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping of name -> user")
    return {str(k): _user(v, f"{where}.{k}") for k, v in d.items()}


def parse_ssh_settings(raw: dict | None, where: str = "cluster") -> SshSettings:
    """The ``ssh:`` key of a cluster's mapping (ClusterSpec.raw)."""
    d = (raw or {}).get("ssh")
    d = {} if d is None else d
    where = f"{where}.ssh"
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping")
    compute_raw = {} if d.get("compute") is None else d["compute"]
    vm_raw = {} if d.get("vm") is None else d["vm"]
    timeout = d.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    try:
        timeout = float(timeout)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.connect_timeout: {timeout!r} is not a number") from None
    if not 0.1 <= timeout <= 300:
        raise ConfigError(f"{where}.connect_timeout: must be between 0.1 and 300 seconds")
    return SshSettings(
        compute=_hop(compute_raw, f"{where}.compute", DEFAULT_COMPUTE_USER),
        vm=_hop(vm_raw, f"{where}.vm", DEFAULT_VM_USER),
        jump=parse_jump(compute_raw.get("jump") if isinstance(compute_raw, dict) else None, f"{where}.compute.jump"),
        config_file=_path(d.get("config_file"), f"{where}.config_file"),
        connect_timeout=timeout,
        users_by_vn=_user_map(vm_raw.get("users_by_vn") if isinstance(vm_raw, dict) else None, f"{where}.vm.users_by_vn"),
        users_by_name=_user_map(vm_raw.get("users_by_name") if isinstance(vm_raw, dict) else None,
                                f"{where}.vm.users_by_name"),
    )


# ------------------------------------------------------------------------------------ argv


def hop_spec(host: str, port: int = 22, user: str | None = None) -> str:
    """``user@host:port`` as ``-J`` takes it (IPv6 in brackets)."""
    h = f"[{host}]" if ":" in host else host
    out = f"{user}@{h}" if user else h
    return f"{out}:{port}" if port != 22 else out


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
             extra_options: list[str] | None = None) -> list[str]:
    """The OpenSSH command line: ``ssh -J root@COMPUTE -o HostKeyAlias=COMPUTE-MDIP ... -- cirros@169.254.x.y``.

    Per-hop options of the compute (its key, its known_hosts) cannot ride on ``-J``; OpenSSH reads them
    from the ssh config, which is why ``config_file`` is passed as ``-F`` (OpenSSH hands ``-F`` to the
    jump hop as well) and otherwise the user's own ~/.ssh/config applies to both hops.
    """
    compute = validate_address(target.compute, "compute")
    mdip = validate_metadata_ip(target.metadata_ip)
    user = validate_user(target.user)
    argv = [program]
    if settings.config_file:
        argv += ["-F", settings.config_file]
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
