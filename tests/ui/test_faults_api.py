"""Config API faults from the lab (token expiry, 409, 503, garbage JSON) against the headless commands,
the policy service and the editor (Pilot): a clear message in bounded time, drafts kept, errors logged."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
import yaml
from helpers.policy_lab import SEED, client_for, lab_api
from helpers.policy_ui import confirm, filter_rows, keys, policy_app
from helpers.ui_apps import settle

from tftui.cli import main
from tftui.services.logsetup import setup_file_logging
from tftui.services.policy import PolicyService
from tftui.ui.framework.dialogs import ConfirmScreen

PW = "lab-secret-pw"


def _config(tmp_path, api) -> str:
    cluster = {"config_api": api.url, "nodes": [{"name": "ctrl1", "address": "127.93.0.10", "roles": ["config"]}]}
    if api.keystone_url:
        cluster["auth"] = {"type": "keystone", "url": api.keystone_url, "username": "admin",
                           "password_env": "TFTUI_TEST_PW", "project": "admin", "domain": "Default"}
    path = tmp_path / "tftui.yaml"
    path.write_text(yaml.safe_dump({"clusters": {"lab": cluster}}))
    return str(path)


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("TFTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TFTUI_TEST_PW", PW)
    yield tmp_path / "state"
    root = logging.getLogger("tftui")
    for h in [h for h in root.handlers if isinstance(h, logging.FileHandler)]:
        root.removeHandler(h)
        h.close()


async def _cli(*argv: str) -> tuple[int, float]:
    started = time.monotonic()
    code = await asyncio.to_thread(main, list(argv))
    return code, time.monotonic() - started


async def test_token_expiry_is_renewed_headless(tmp_path, capsys):
    async with lab_api(fault="expire", password=PW) as api:
        cfg = _config(tmp_path, api)
        code, _ = await _cli("networks", "--json", "--config", cfg)
        assert code == 0, capsys.readouterr().err
        code, _ = await _cli("policy", "export", "--config", cfg)
        assert code == 0, capsys.readouterr().err
        # every token died after 3 uses and was renewed: more tokens than commands
        assert api.keystone.issued > 2


@pytest.mark.parametrize("fault, expect", [("503", "503 Service Unavailable"), ("garbage", "reply is not JSON")])
async def test_unavailable_and_garbage_headless(tmp_path, capsys, state, fault, expect):
    async with lab_api(fault=fault) as api:
        cfg = _config(tmp_path, api)
        for argv in (("networks", "--config", cfg), ("policy", "export", "--config", cfg),
                     ("policy", "apply", "--dry-run", _seed(tmp_path), "--config", cfg)):
            code, took = await _cli(*argv)
            err = capsys.readouterr().err
            assert code == 1 and expect in err and "Traceback" not in err, (argv, err)
            assert took < 10
    log = (state / "tftui.log").read_text()
    # "YYYY-MM-DD HH:MM:SS,mmm ERROR ...": the error with its time
    assert any(expect in line and line[:4].isdigit() and " ERROR " in line for line in log.splitlines()), log


def _seed(tmp_path) -> str:
    path = tmp_path / "seed.yaml"
    path.write_text(SEED)
    return str(path)


async def test_conflict_on_apply_headless(tmp_path, capsys):
    async with lab_api(fault="409") as api:
        cfg = _config(tmp_path, api)
        code, _ = await _cli("policy", "apply", _seed(tmp_path), "--config", cfg)
        err = capsys.readouterr().err
        assert code == 1 and "409 Conflict" in err and "Traceback" not in err
        assert not api.store.uuid_of("tag", ["label=cirros1"])


async def test_conflict_and_unavailable_keep_the_draft_in_the_editor(tmp_path):
    log_file = setup_file_logging(tmp_path / "ui.log")
    async with lab_api() as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = policy_app(service)
        uid = api.store.uuid_of("virtual-network", ["default-domain", "admin", "tenant-net"])
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await keys(pilot, "5")
            await filter_rows(pilot, "tenant-net")
            for fault, expect in (("409", "409 Conflict"), ("503", "503 Service Unavailable"),
                                  ("garbage", "not JSON")):
                await keys(pilot, "S")
                assert isinstance(app.screen, ConfirmScreen)
                api.server.fault = fault  # the API breaks while the operator reads the change
                await keys(pilot, "enter")
                notes = [n.message for n in app._notifications]
                assert any(expect in n for n in notes), (fault, notes)
                assert api.store.objs[uid]["fabric_snat"] is True  # nothing written
                pending = service.drafts.pending()
                assert pending and expect in (pending[0].error or ""), (fault, pending)
                app.clear_notifications()
                api.server.fault = None
                for d in pending:
                    service.discard(d)
            await keys(pilot, "S")
            await confirm(pilot, "fabric_snat")
            assert api.store.objs[uid]["fabric_snat"] is False
        await service.aclose()
    text = log_file.read_text()
    assert "409 Conflict" in text and "503 Service Unavailable" in text


async def test_readonly_sends_no_write_on_any_path(tmp_path, capsys):
    async with lab_api() as api:
        cfg = _config(tmp_path, api)
        seed = _seed(tmp_path)
        code, _ = await _cli("--readonly", "policy", "apply", seed, "--config", cfg)
        assert code == 2 and "--readonly" in capsys.readouterr().err
        code, _ = await _cli("policy", "apply", seed, "--readonly", "--config", cfg)
        assert code == 2
        code, _ = await _cli("policy", "apply", seed, "--readonly", "--dry-run", "--config", cfg)
        assert code == 0 and "dry run: nothing sent" in capsys.readouterr().out
        assert api.server.writes == 0
        # every write of the service refuses before any I/O
        ro = PolicyService(client_for(api), readonly=True, draft_dir=tmp_path, cluster="lab")
        await ro.load_all()
        from tftui.services.policy import ReadOnlyError
        net = next(n for n in ro.state.networks if n.fq_name[-1] == "tenant-net")
        with pytest.raises(ReadOnlyError):
            await ro.draft_network(net, fabric_snat=False)
        with pytest.raises(ReadOnlyError):
            await ro.draft_create_tag("label=ro")
        # the editor: every write key pressed on every tab
        app = policy_app(ro)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for tab, name in zip("123456", ("tags", "ports", "policies", "sets", "networks", "bgp"), strict=True):
                await keys(pilot, tab, "n", "x", "t", "u", "S", "I", "K", "J", "D")
                assert name == app.screen.NAME  # no write key is bound: no dialog opened
        await ro.aclose()
        assert api.server.writes == 0
        # the counter does count: one real write moves it
        async with client_for(api) as c:
            await c.create("tag", {"tag_type_name": "label", "tag_value": "counted", "fq_name": ["label=counted"]})
        assert api.server.writes == 1


@pytest.mark.parametrize("fault, expect", [("503", "503 Service Unavailable"), ("garbage", "not JSON")])
async def test_editor_opens_on_a_broken_api_and_recovers(tmp_path, fault, expect):
    async with lab_api(fault=fault) as api:
        service = PolicyService(client_for(api), draft_dir=tmp_path, cluster="lab")
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            shown = [n.message for n in app._notifications] + [str(w.render()) for w in app.screen.query("Static")]
            assert any(expect in m for m in shown), shown
            api.server.fault = None
            await keys(pilot, "ctrl+r", "5")
            await filter_rows(pilot, "tenant-net")
            table = app.screen.table
            assert table.row_count == 1 and "tenant-net" in str(table.get_row_at(0))
        await service.aclose()
