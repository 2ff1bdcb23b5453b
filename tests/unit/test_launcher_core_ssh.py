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
from tftui.core.config_values import ConfigError, parse_jump
from tftui.core.launcher import (
    HopSettings,
    SshSettings,
    SshTarget,
    check_config_path,
    display_command,
    explain_refusal,
    hops_ssh_config,
    host_key_alias,
    known_hosts_name,
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
    raw = {
        "compute": {"username": "admin", "port": 2022, "jump": "ops@[fd00::1]:2200"},
        "vm": {"username": "ubuntu", "identity_file": "~/.ssh/vm key", "known_hosts": "/k h", "port": 2222},
        "config_file": "/etc/tftui/ssh_config", "connect_timeout": 4.5}
    s = parse_ssh_settings(raw)
    argv = ssh_argv(target_for(VMI, s), s, ["ping", "-c", "3", "10.0.0.1"], config_path="/state/ssh/lab.ssh_config")
    assert argv == ["ssh", "-F", "/state/ssh/lab.ssh_config", "-J", "ops@[fd00::1]:2200,admin@10.0.0.21:2022",
                    "-o", "HostKeyAlias=10.0.0.21-169.254.0.4", "-o", 'UserKnownHostsFile="/k h"',
                    "-i", "~/.ssh/vm key", "-o", "ConnectTimeout=4", "-p", "2222", "--", "ubuntu@169.254.0.4",
                    "ping", "-c", "3", "10.0.0.1"]
    assert """'UserKnownHostsFile="/k h"'""" in display_command(argv)  # quoted for copy and paste


def test_ipv6_compute_is_bracketed_for_jump_and_plain_in_the_alias():
    vmi = Vmi("c", "fd00::21", "t", "v", "", "", "", "", "169.254.0.9", True)
    s = parse_ssh_settings({"compute": {"port": 2022}})
    argv = ssh_argv(target_for(vmi, s), s)
    assert argv[argv.index("-J") + 1] == "root@[fd00::21]:2022"
    assert "HostKeyAlias=fd00::21-169.254.0.9" in argv
    assert known_hosts_name("fd00::21", 2022) == "[fd00::21]:2022" and known_hosts_name("h") == "h"


def test_users_per_vm_name_then_vn_then_default():
    s = parse_ssh_settings({"vm": {"username": "cirros", "users_by_name": {"ubuntu-*": "ubuntu"},
                                   "users_by_vn": {"tenant-net": "centos"}}})
    tenant = Vmi("c", "10.0.0.2", "t", "vm-1", "", "default-domain:admin:tenant-net", "", "", "169.254.0.5", True)
    ubuntu = Vmi("c", "10.0.0.2", "t", "ubuntu-web", "", "default-domain:admin:tenant-net", "", "", "169.254.0.6", True)
    assert s.user_for(VMI) == "cirros" and s.user_for(tenant) == "centos" and s.user_for(ubuntu) == "ubuntu"
    assert target_for(tenant, s, user="root").user == "root"


@pytest.mark.parametrize("raw, msg", [
    ([], "clusters.lab.ssh: expected a mapping"),
    ({"compute": {"port": 0}}, "compute.port: 0 is out of range"),
    ({"compute": {"port": "x"}}, "not a port"),
    ({"compute": {"username": "-oProxyCommand=x"}}, "compute.username: .* not a valid user"),
    ({"vm": {"username": "a b"}}, "not a valid user"),
    ({"vm": {"identity_file": "-i"}}, "not a usable file name"),
    ({"config_file": "a\nb"}, "not a usable file name"),
    ({"vm": {"known_hosts": 'a"b'}}, "not a usable file name"),
    ({"connect_timeout": 0}, "below the minimum"),
    ({"connect_timeout": 301}, "above the maximum"),
    ({"compute": {"jump": "ops@-evil"}}, "not an IP address or host name"),
    ({"compute": {"jump": {"host": "b", "identity_file": "-x"}}}, "jump.identity_file: .* not a usable file name"),
    ({"vm": {"users_by_vn": {"net": "$(id)"}}}, "not a valid user"),
])
def test_bad_settings_name_the_key(raw, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_ssh_settings(raw, "clusters.lab.ssh")


def test_jump_forms():
    assert parse_jump("bastion", "j").spec() == "bastion"
    assert parse_jump("ops@bastion:2200", "j").spec() == "ops@bastion:2200"
    assert parse_jump({"host": "10.1.1.1", "port": 22, "username": "me"}, "j").spec() == "me@10.1.1.1"
    assert parse_jump("[fd00::1]:2200", "j").spec() == "[fd00::1]:2200"
    assert parse_jump(None, "j") is None
    own = parse_jump({"host": "b", "identity_file": "/k/bastion", "known_hosts": "/k/kh"}, "j")
    assert (own.identity_file, own.known_hosts) == ("/k/bastion", "/k/kh")


def test_hops_config_carries_the_compute_and_bastion_settings():
    s = parse_ssh_settings({"compute": {"username": "admin", "port": 2022, "identity_file": "/k/c 1",
                                        "known_hosts": "/k/kh%h", "jump": {"host": "bastion", "username": "ops",
                                                                           "known_hosts": "/k/bastion"}},
                            "connect_timeout": 4.5})
    text = hops_ssh_config(s, "lab", ["/home/op/.ssh/config", "/etc/ssh/ssh_config"])
    blocks = [b for b in text.split("\n\n") if not b.startswith("# Written")]
    assert blocks[0].splitlines()[1:] == [
        "Host bastion", "    User ops", "    Port 22", "    ConnectTimeout 4", '    IdentityFile "/k/c 1"',
        "    IdentitiesOnly yes", '    UserKnownHostsFile "/k/bastion"']  # its own known_hosts, the computes' key
    assert blocks[1].splitlines()[1:] == [
        "Host * !169.254.*", "    User admin", "    Port 2022", "    ConnectTimeout 4", '    IdentityFile "/k/c 1"',
        "    IdentitiesOnly yes", '    UserKnownHostsFile "/k/kh%%h"']  # % is no token here
    assert blocks[2].splitlines()[1:] == ["Host *", 'Include "/home/op/.ssh/config"', 'Include "/etc/ssh/ssh_config"']
    plain = hops_ssh_config(SshSettings(), "x", [])
    assert "Host * !169.254.*\n    User root\n    Port 22\n    ConnectTimeout 10\n\n" in plain
    assert "IdentityFile" not in plain and "UserKnownHostsFile" not in plain and "Host bastion" not in plain


def test_hops_config_refuses_what_would_end_a_value_and_names_odd_clusters_safely():
    for bad in ('/k/a"b', "/k/a\\", "/k/a\nProxyCommand x"):
        with pytest.raises((InvalidInput, ConfigError)):
            hops_ssh_config(SshSettings(compute=HopSettings("root", identity_file=bad)), "x", [])
        with pytest.raises(InvalidInput):
            hops_ssh_config(SshSettings(), "x", [bad])
    text = hops_ssh_config(SshSettings(), "evil\nProxyCommand touch /tmp/x", [])
    assert all(line.startswith(("#", "Host", "    ", "Include")) or not line for line in text.splitlines())


@pytest.mark.parametrize("path, ok", [
    ("/var/lib/tftui/ssh/lab-1a2b3c4d.ssh_config", True), ("relative/x", False), ("/a b/x", False),
    ("/a/$(id)/x", False), ("/a/`id`/x", False), ("/a/x;id", False), ("/a/../etc/x", False), ("/a/%h/x", False),
])
def test_the_config_path_handed_to_the_jump_hops_is_plain(path, ok):
    if ok:
        assert check_config_path(path) == path
    else:
        with pytest.raises(InvalidInput, match="TFTUI_STATE_DIR"):
            check_config_path(path)


CHANGED = """@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Add correct host key in {file} to get rid of this message.
Offending ED25519 key in {file}:2
Host key for {name} has changed and you have requested strict checking.
Host key verification failed.
"""


def test_a_refused_host_key_is_explained_per_hop():
    s = parse_ssh_settings({"compute": {"port": 2022, "known_hosts": "/k/computes"}, "vm": {"known_hosts": "/k/vms"}})
    t = target_for(VMI, s)
    vm = explain_refusal(CHANGED.format(file="/k/vms", name="10.0.0.21-169.254.0.4"), t, s)
    assert vm.startswith("refused: the host key of VM cirros1 (169.254.0.4 via 10.0.0.21) is not the one recorded as "
                         "10.0.0.21-169.254.0.4 in /k/vms")
    assert vm.endswith("ssh-keygen -R 10.0.0.21-169.254.0.4 -f /k/vms")
    compute = explain_refusal(CHANGED.format(file="/k/computes", name="[10.0.0.21]:2022") +
                              "Connection closed by UNKNOWN port 65535\n", t, s)
    assert "host key of compute 10.0.0.21 is not the one recorded as [10.0.0.21]:2022 in /k/computes" in compute
    assert compute.endswith("ssh-keygen -R '[10.0.0.21]:2022' -f /k/computes")
    unknown = explain_refusal("No ED25519 host key is known for 10.0.0.21-169.254.0.4 and you have requested strict "
                              "checking.\nHost key verification failed.\n", t, s)
    assert "is not known as 10.0.0.21-169.254.0.4 in /k/vms" in unknown
    assert explain_refusal("ssh: connect to host 10.0.0.21 port 2022: Connection refused\n", t, s) is None
    jumped = parse_ssh_settings({"compute": {"jump": {"host": "bastion", "known_hosts": "/k/b"}}})
    j = explain_refusal(CHANGED.format(file="/k/b", name="bastion"), target_for(VMI, jumped), jumped)
    assert "host key of jump host bastion is not the one recorded as bastion in /k/b" in j


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
