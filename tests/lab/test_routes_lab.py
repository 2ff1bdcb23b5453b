"""The router client and monitor against the lab router: a real asyncssh server on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import asyncssh
import pytest

from tftui.clients.router import (
    CommandError,
    HostKeyChanged,
    HostKeyUnknown,
    RouterClient,
    RouterError,
    build_command,
    validate_prefix,
)
from tftui.core.routes.config import parse_router
from tftui.core.routes.crosscheck import MISSING, ORPHAN, WRONG_VROUTER
from tftui.lab.router import LabRouterServer, expected_rows
from tftui.lab.topology import build
from tftui.services.gatewayless import hosts_from_file
from tftui.services.routes import RouterMonitor

BASE = 203


@pytest.fixture
async def lab(tmp_path):
    topo = build("demo", base=BASE)
    server = LabRouterServer(topo, f"127.{BASE}.0.1", 0, tmp_path)
    await server.start()
    yield server
    await server.stop()


def spec_for(server: LabRouterServer, **changes):
    d = {**server.config_entry(timeout=5), **changes}
    return parse_router(d, "test")


async def test_frr_json_end_to_end(lab):
    client = RouterClient(spec_for(lab))
    try:
        suite = await client.detect()
        assert suite.label() == "frr 9.1"  # the lab router is a VyOS 1.4 unless told otherwise
        n = (await client.neighbors()).parsed.items
        # peered with the demo's control nodes but its last (the walk of peering it is left to do)
        controls = [x.address for x in lab.topo.nodes if "control" in x.roles]
        assert [(x.address, x.remote_as, x.state) for x in n] == [(a, 64512, "Established") for a in controls[:-1]]
        fetched = await client.routes()
        assert fetched.output.json and fetched.output.command == "vtysh -c 'show ip route json'"
        routes = {r.prefix: r for r in fetched.parsed.items}
        pods = [i for i in lab.topo.interfaces if i.kind == "pod"]
        first = routes[f"{pods[0].ip}/32"]
        assert first.protocol == "bgp" and first.nexthops[0].via == lab.topo.node(pods[0].vrouter).address
        assert n[0].prefixes_received == sum(1 for r in routes.values() if r.protocol == "bgp")
        detail = (await client.bgp_prefix(pods[0].ip)).parsed.items
        assert [(p.as_path, p.med, p.nexthop, p.peer) for p in detail] == [
            ("64512", 100, first.nexthops[0].via, a) for a in controls[:-1]]  # a path from each control node
        await client.routes()
        assert client.connects == 1  # one connection reused for every command
    finally:
        await client.close()


async def test_quagga_text(lab):
    lab.topo.router.os = "vyos-1.1"
    client = RouterClient(spec_for(lab))
    try:
        assert (await client.detect()).label() == "quagga"
        fetched = await client.routes()
        assert not fetched.output.json and fetched.parsed.skipped == []
        assert any(r.prefix == "127.0.0.0/8" for r in fetched.parsed.items)
        n = (await client.neighbors()).parsed.items
        assert len(n) == 2 and all(x.established and x.prefixes_received > 100 for x in n)
    finally:
        await client.close()


async def test_wrapper_fallback(lab):
    lab.tables.vtysh = False
    client = RouterClient(spec_for(lab))
    try:
        await client.detect()
        fetched = await client.routes()
        assert fetched.output.command == "/opt/vyatta/bin/vyatta-op-cmd-wrapper show ip route"
        assert not fetched.output.json and len(fetched.parsed.items) > 100
    finally:
        await client.close()


async def test_unknown_host_key_then_accept_new(lab, tmp_path):
    kh = tmp_path / "empty_known_hosts"
    kh.write_text("")
    with pytest.raises(HostKeyUnknown) as info:
        await RouterClient(spec_for(lab, known_hosts=str(kh))).detect()
    assert info.value.fingerprint.startswith("SHA256:")
    assert info.value.fingerprint == lab.host_key.get_fingerprint("sha256")
    assert kh.read_text() == ""  # strict: nothing written
    c = RouterClient(spec_for(lab, known_hosts=str(kh), host_key_policy="accept-new"))
    await c.detect()
    await c.close()
    assert f"[{lab.host}]:{lab.port} ssh-ed25519 " in kh.read_text()
    c = RouterClient(spec_for(lab, known_hosts=str(kh)))  # strict again, now known
    assert (await c.detect()).name == "frr"
    await c.close()


async def test_changed_host_key_refused_even_with_accept_new(lab, tmp_path):
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    kh = tmp_path / "kh"
    kh.write_text(f"[{lab.host}]:{lab.port} {other}\n")
    for policy in ("strict", "accept-new"):
        with pytest.raises(HostKeyChanged, match="HAS CHANGED"):
            await RouterClient(spec_for(lab, known_hosts=str(kh), host_key_policy=policy)).detect()
    assert kh.read_text().count("\n") == 1


async def test_wrong_client_key(lab, tmp_path):
    key = tmp_path / "other_key"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(key))
    with pytest.raises(RouterError, match="authentication failed"):
        await RouterClient(spec_for(lab, identity_file=str(key))).detect()


async def test_refused_then_backoff(tmp_path):
    spec = parse_router({"name": "gone", "host": f"127.{BASE}.0.2", "port": 1, "known_hosts": str(tmp_path / "kh"),
                         "agent": False, "timeout": 2}, "t")
    client = RouterClient(spec)
    with pytest.raises(RouterError, match="cannot connect"):
        await client.detect()
    with pytest.raises(RouterError, match="reconnecting in"):
        await client.detect()


async def test_reconnect_after_router_restart(lab):
    client = RouterClient(spec_for(lab))
    try:
        await client.detect()
        await lab.stop()
        with pytest.raises(RouterError):
            await client.routes()
        await lab.start()
        await asyncio.sleep(0.6)  # the first backoff step
        assert len((await client.routes()).parsed.items) > 100
        assert client.connects == 2
    finally:
        await client.close()


def test_command_templates_validate_values():
    assert build_command("prefix", True, prefix="10.47.255.250") == "vtysh -c 'show ip bgp 10.47.255.250 json'"
    assert build_command("prefix", False, prefix="10.47.255.250/32") == "vtysh -c 'show ip bgp 10.47.255.250/32'"
    for bad in ("10.0.0.1; reboot", "$(id)", "10.0.0.1' -c 'conf t", "", "show"):
        with pytest.raises(ValueError):
            validate_prefix(bad)
    with pytest.raises(ValueError):
        build_command("prefix", False)


async def test_unknown_command_is_an_error(lab):
    client = RouterClient(spec_for(lab))
    try:
        await client.detect()
        out = await client.run_raw("vtysh -c 'show ip bgp sumary'")
        assert out.exit_status == 1 and out.stdout.startswith("% Unknown command")
        from tftui.clients import router as mod
        mod.TEMPLATES["typo"] = "show ip bgp sumary"
        try:
            with pytest.raises(CommandError, match="does not know"):
                await client._run("typo")
        finally:
            del mod.TEMPLATES["typo"]
    finally:
        await client.close()


async def test_monitor_crosscheck_on_demo(lab):
    hosts_file = lab.state_dir / "hosts.json"
    hosts_file.write_text(json.dumps(expected_rows(lab.topo)))
    mon = RouterMonitor(spec_for(lab), hosts_from_file(hosts_file), interval=0.2)
    seen = []
    mon.subscribe(lambda st: seen.append(st.generation))
    try:
        st = await mon.refresh()
        assert st.errors == [] and st.last_fetched and st.suite == "frr 9.1"
        check = st.check
        assert [f.prefix for f in check.by_kind(MISSING)] == sorted(lab.topo.router.withheld)
        assert [f.prefix for f in check.by_kind(WRONG_VROUTER)] == list(lab.topo.router.misrouted)
        assert [f.prefix for f in check.by_kind(ORPHAN)] == [p for p, _ in lab.topo.router.orphans]
        assert check.ok == check.expected - 2
        assert "summary" in st.raw and "routes" in st.raw
        mon.start()
        for _ in range(50):
            if st.generation >= 3:
                break
            await asyncio.sleep(0.1)
        assert st.generation >= 3 and mon.client.connects == 1
    finally:
        await mon.stop()


async def test_monitor_keeps_last_tables_on_error(lab):
    mon = RouterMonitor(spec_for(lab), None, interval=5)
    try:
        st = await mon.refresh()
        n_routes = len(st.routes)
        await lab.stop()
        st = await mon.refresh()
        assert st.errors and len(st.routes) == n_routes
        assert st.check.expected == 0 and st.check.note.startswith("no interface list")  # nothing to compare with
    finally:
        await mon.stop()


def test_scale_50k_routes_rendering(tmp_path):
    import time

    from tftui.core.routes.rib import parse_route_json, parse_route_text
    from tftui.lab.router import RouterTables

    topo = build("demo", base=BASE)
    tables = RouterTables(topo, synthetic=50_000)  # 200k: build 2.2s, text 0.3s, parse 2.4s
    t0 = time.monotonic()
    text, status = tables.answer("show ip route")
    t1 = time.monotonic()
    parsed = parse_route_text(text)
    t2 = time.monotonic()
    assert status == 0 and len(parsed.items) > 50_000 and parsed.skipped == []
    assert t1 - t0 < 10 and t2 - t1 < 10, (t1 - t0, t2 - t1)
    doc, _ = tables.answer("show ip route json")
    assert len(parse_route_json(json.loads(doc)).items) == len(parsed.items)


def test_dataclass_spec_is_frozen(lab):
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec_for(lab).host = "x"  # type: ignore[misc]
    assert Path(lab.identity_file).stat().st_mode & 0o077 == 0


async def test_password_from_env_and_prompt(tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    secret = "s3cret-Pa55"
    server = LabRouterServer(build("demo", base=BASE), f"127.{BASE}.0.1", 0, tmp_path, password=secret)
    await server.start()
    try:
        spec = spec_for(server, identity_file=None, password_env="TFTR_ROUTER_PW")
        client = RouterClient(spec, env={"TFTR_ROUTER_PW": secret})
        assert (await client.detect()).name == "frr"
        await client.close()
        with pytest.raises(RouterError, match="authentication failed"):
            await RouterClient(spec, env={"TFTR_ROUTER_PW": "wrong"}).detect()
        asked = []

        async def prompt(message: str) -> str:
            asked.append(message)
            return secret

        spec = spec_for(server, identity_file=None, password_prompt=True)
        client = RouterClient(spec, prompt)
        assert (await client.detect()).name == "frr"
        await client.close()
        assert asked == [f"password for vyos@{server.host}"]
        assert secret not in caplog.text and secret not in repr(spec) and secret not in repr(client.__dict__)
    finally:
        await server.stop()


class _Jump(asyncssh.SSHServer):
    """A bastion that only forwards TCP (direct-tcpip) for one key."""

    def __init__(self, key):
        self._key = key.public_data

    def begin_auth(self, username):
        return True

    def public_key_auth_supported(self):
        return True

    def validate_public_key(self, username, key):
        return key.public_data == self._key

    def connection_requested(self, dest_host, dest_port, orig_host, orig_port):
        return True


async def test_through_jump_host(lab, tmp_path):
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.import_private_key(Path(lab.identity_file).read_text())
    jump = await asyncssh.create_server(lambda: _Jump(client_key), f"127.{BASE}.0.3", 0, server_host_keys=[host_key])
    port = jump.get_port()
    kh = tmp_path / "jump_known_hosts"
    kh.write_text(f"[127.{BASE}.0.3]:{port} {host_key.export_public_key('openssh').decode().strip()}\n")
    try:
        spec = spec_for(lab, jump={"host": f"127.{BASE}.0.3", "port": port, "username": "ops", "known_hosts": str(kh)})
        client = RouterClient(spec)
        assert len((await client.routes()).parsed.items) > 100
        await client.close()
        kh.write_text("")
        with pytest.raises(HostKeyUnknown, match=f"127.{BASE}.0.3"):
            await RouterClient(spec).detect()
    finally:
        jump.close()


async def test_lab_hosts_file_follows_new_pods(lab):
    from tftui.lab.topology import LabInterface

    before = json.loads(lab.hosts_file.read_text())
    vr = lab.topo.vrouters()[0]
    lab.topo.interfaces.append(LabInterface("pod-new", "u1", "u2", "tapnew", vr.name, before[0]["network"],
                                            "10.47.200.1", "02:00:00:00:99:99", "169.254.9.9"))
    out, _ = lab.tables.answer("show ip route")
    assert "10.47.200.1/32" in out
    after = json.loads(lab.hosts_file.read_text())
    assert len(after) == len(before) + 1 and after[-1]["vm_name"] == "pod-new"
