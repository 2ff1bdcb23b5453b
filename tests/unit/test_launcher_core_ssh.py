"""core/launcher.py (ssh settings, HostKeyAlias, the OpenSSH argv) and core/compute.py (docker/crictl/lsmod)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tftui.core.agent import InvalidInput, Vmi
from tftui.core.compute import (
    MODULE_ABSENT,
    MODULE_PRESENT,
    ComputeParseError,
    Container,
    module_line,
    parse_containers,
    render_crictl_ps,
    render_docker_ps,
)
from tftui.core.inventory import ConfigError
from tftui.core.launcher import (
    SshSettings,
    SshTarget,
    display_command,
    host_key_alias,
    known_hosts_name,
    parse_jump,
    parse_ssh_settings,
    ssh_argv,
    target_for,
)

VMI = Vmi("compute1", "10.0.0.21", "tap1", "cirros1", "u", "default-domain:k8s-default:k8s-default-pod-network",
          "10.47.255.251", "02:00:00:00:00:01", "169.254.0.4", True)


def test_defaults_give_the_seed_command():
    s = parse_ssh_settings({})
    argv = ssh_argv(target_for(VMI, s), s)
    assert argv == ["ssh", "-J", "root@10.0.0.21", "-o", "HostKeyAlias=10.0.0.21-169.254.0.4",
                    "-o", "ConnectTimeout=10", "-p", "22", "--", "cirros@169.254.0.4"]
    assert display_command(argv).endswith("-- cirros@169.254.0.4")


def test_every_setting_lands_in_the_argv():
    raw = {"ssh": {
        "compute": {"username": "admin", "port": 2022, "jump": "ops@[fd00::1]:2200"},
        "vm": {"username": "ubuntu", "identity_file": "~/.ssh/vm key", "known_hosts": "/k h", "port": 2222},
        "config_file": "/etc/tftui/ssh_config", "connect_timeout": 4.5}}
    s = parse_ssh_settings(raw)
    argv = ssh_argv(target_for(VMI, s), s, ["ping", "-c", "3", "10.0.0.1"])
    assert argv == ["ssh", "-F", "/etc/tftui/ssh_config", "-J", "ops@[fd00::1]:2200,admin@10.0.0.21:2022",
                    "-o", "HostKeyAlias=10.0.0.21-169.254.0.4", "-o", 'UserKnownHostsFile="/k h"',
                    "-i", "~/.ssh/vm key", "-o", "ConnectTimeout=4", "-p", "2222", "--", "ubuntu@169.254.0.4",
                    "ping", "-c", "3", "10.0.0.1"]
    assert """'UserKnownHostsFile="/k h"'""" in display_command(argv)  # quoted for copy and paste


def test_ipv6_compute_is_bracketed_for_jump_and_plain_in_the_alias():
    vmi = Vmi("c", "fd00::21", "t", "v", "", "", "", "", "169.254.0.9", True)
    s = parse_ssh_settings({"ssh": {"compute": {"port": 2022}}})
    argv = ssh_argv(target_for(vmi, s), s)
    assert argv[argv.index("-J") + 1] == "root@[fd00::21]:2022"
    assert "HostKeyAlias=fd00::21-169.254.0.9" in argv
    assert known_hosts_name("fd00::21", 2022) == "[fd00::21]:2022" and known_hosts_name("h") == "h"


def test_users_per_vm_name_then_vn_then_default():
    s = parse_ssh_settings({"ssh": {"vm": {"username": "cirros", "users_by_name": {"ubuntu-*": "ubuntu"},
                                           "users_by_vn": {"tenant-net": "centos"}}}})
    tenant = Vmi("c", "10.0.0.2", "t", "vm-1", "", "default-domain:admin:tenant-net", "", "", "169.254.0.5", True)
    ubuntu = Vmi("c", "10.0.0.2", "t", "ubuntu-web", "", "default-domain:admin:tenant-net", "", "", "169.254.0.6", True)
    assert s.user_for(VMI) == "cirros" and s.user_for(tenant) == "centos" and s.user_for(ubuntu) == "ubuntu"
    assert target_for(tenant, s, user="root").user == "root"


@pytest.mark.parametrize("raw, msg", [
    ({"ssh": []}, "expected a mapping"),
    ({"ssh": {"compute": {"port": 0}}}, "out of range"),
    ({"ssh": {"compute": {"port": "x"}}}, "not a port"),
    ({"ssh": {"compute": {"username": "-oProxyCommand=x"}}}, "not a valid user"),
    ({"ssh": {"vm": {"username": "a b"}}}, "not a valid user"),
    ({"ssh": {"vm": {"identity_file": "-i"}}}, "not a usable file name"),
    ({"ssh": {"config_file": "a\nb"}}, "not a usable file name"),
    ({"ssh": {"vm": {"known_hosts": 'a"b'}}}, "not a usable file name"),
    ({"ssh": {"connect_timeout": 0}}, "between"),
    ({"ssh": {"compute": {"jump": "ops@-evil"}}}, "not an IP address or host name"),
    ({"ssh": {"vm": {"users_by_vn": {"net": "$(id)"}}}}, "not a valid user"),
])
def test_bad_settings_name_the_key(raw, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_ssh_settings(raw, "clusters.lab")


def test_jump_forms():
    assert parse_jump("bastion", "j").spec() == "bastion"
    assert parse_jump("ops@bastion:2200", "j").spec() == "ops@bastion:2200"
    assert parse_jump({"host": "10.1.1.1", "port": 22, "username": "me"}, "j").spec() == "me@10.1.1.1"
    assert parse_jump(None, "j") is None


def test_nothing_unvalidated_reaches_the_argv():
    s = SshSettings()
    for bad in (SshTarget("-oProxyCommand=x", "169.254.0.4", "root"), SshTarget("10.0.0.1", "169.254.0.4;id", "root"),
                SshTarget("10.0.0.1", "10.0.0.9", "root"), SshTarget("10.0.0.1", "169.254.0.4", "root@x")):
        with pytest.raises((InvalidInput, ConfigError)):
            ssh_argv(bad, s)
    with pytest.raises(InvalidInput):
        target_for(Vmi("c", "10.0.0.1", "t", "v", "", "", "", "", "0.0.0.0", True), s)
    with pytest.raises(InvalidInput):
        target_for(Vmi("c", "a b", "t", "v", "", "", "", "", "169.254.0.4", True), s)
    assert host_key_alias("compute-1.example", "169.254.0.4") == "compute-1.example-169.254.0.4"


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=20))
def test_argv_words_are_either_refused_or_safe(user, mdip):
    s = SshSettings()
    try:
        argv = ssh_argv(SshTarget("10.0.0.1", mdip, user), s)
    except (InvalidInput, ConfigError):
        return
    dest = argv[-1]
    assert argv[-2] == "--" and not dest.startswith("-") and " " not in dest and ";" not in dest


CONTAINERS = [
    Container("3c2f0c2e1b2a", "tungstenfabric/contrail-vrouter-agent:latest", "vrouter_vrouter-agent_1", "running",
              "Up About an hour", "About an hour ago"),
    Container("9d1e7a6b5c4f", "tungstenfabric/contrail-nodemgr:latest", "vrouter_nodemgr_1", "exited",
              "Exited (1) 5 minutes ago", "2 hours ago"),
]


def test_docker_round_trip():
    runtime, got = parse_containers(render_docker_ps(CONTAINERS))
    assert runtime == "docker" and got == CONTAINERS


def test_crictl_round_trip():
    crictl = [Container(c.id + "f", c.image, c.name, c.state, c.state.capitalize(), c.created) for c in CONTAINERS]
    runtime, got = parse_containers(render_crictl_ps(crictl))
    assert runtime == "crictl" and [(c.name, c.state, c.created) for c in got] == \
        [("vrouter_vrouter-agent_1", "running", "About an hour ago"), ("vrouter_nodemgr_1", "exited", "2 hours ago")]


def test_real_docker_ps_text():
    text = (
        "CONTAINER ID   IMAGE                                                     COMMAND                  CREATED        STATUS                  PORTS     NAMES\n"
        "5b1c0e2f9a77   opencontrailnightly/contrail-vrouter-agent:latest         \"/entrypoint.sh /usr…\"   2 hours ago    Up 2 hours                        vrouter_vrouter-agent_1\n"
        "0a9e8d7c6b5a   opencontrailnightly/contrail-nodemgr:latest               \"/entrypoint.sh /bin…\"   2 hours ago    Restarting (1) 3 s ago            vrouter_nodemgr_1\n"
    )
    _, got = parse_containers(text)
    assert [(c.name, c.state) for c in got] == [("vrouter_vrouter-agent_1", "running"), ("vrouter_nodemgr_1", "restarting")]


@pytest.mark.parametrize("text", ["", "bash: docker: command not found\n", "NAME READY STATUS\n"])
def test_not_a_container_table(text):
    with pytest.raises(ComputeParseError):
        parse_containers(text)


def test_module_line():
    assert module_line("vrouter              475136  0\n") == MODULE_PRESENT
    assert module_line("vrouter_extra 1 0\nnf_nat 1 0\n") == MODULE_ABSENT
    assert module_line("") == MODULE_ABSENT
