"""Passwords and tokens never reach logs, screenshots, exports, stdout/stderr or exception text.

Each flow runs with a unique marker as the password (router password_env, the in-app prompt, keystone)
and forces the failures that tend to leak (wrong password, 401, refused connection); then the log file,
the outputs, the exceptions (with their chained context) and SVG screenshots are searched for the marker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
import traceback
import uuid
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from helpers.policy_lab import lab_api
from helpers.policy_ui import policy_app
from helpers.routes_ui import routes_app, routes_lab
from helpers.ui_apps import settle
from textual.widgets import Input, Static

from tftui.clients.configapi import ConfigApiClient, ConfigApiError
from tftui.core.inventory import ConfigError
from tftui.core.policy.settings import AuthSpec, ConfigApiSettings
from tftui.core.routes.config import parse_router
from tftui.services.config import load_config
from tftui.services.logsetup import setup_file_logging
from tftui.services.policy import PolicyService
from tftui.services.routes import RouterMonitor
from tftui.ui.password_prompt import PasswordScreen


def marker(kind: str) -> str:
    return f"SECRET{kind}{uuid.uuid4().hex[:12]}"


def exc_text(exc: BaseException) -> str:
    """What could ever be shown of an exception: str, repr, args and the whole chain as a traceback."""
    parts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc, chain=True))]
    ctx = exc.__context__
    while ctx is not None:  # `raise ... from None` hides it from tracebacks but keeps it reachable
        parts += [str(ctx), repr(ctx)]
        ctx = ctx.__context__
    return "\n".join(parts)


@pytest.fixture
def log_file(tmp_path):
    path = setup_file_logging(tmp_path / "state" / "tftui.log", level=logging.DEBUG)
    yield path
    root = logging.getLogger("tftui")
    for h in [h for h in root.handlers if isinstance(h, logging.FileHandler)]:
        root.removeHandler(h)
        h.close()
    root.setLevel(logging.INFO)


def _held(obj) -> str:
    """What an object keeps (its reference to the process environment aside: that is the user's, not ours)."""
    return repr({k: v for k, v in vars(obj).items() if k != "_env"})


def assert_absent(secret: str, *texts: str) -> None:
    for i, text in enumerate(texts):
        assert secret not in text, f"secret found in text #{i}: ...{text[max(0, text.find(secret) - 200):][:400]}"


# ---------------------------------------------------------------------------------------------- router


async def test_router_password_from_env_and_wrong_password(tmp_path, log_file, monkeypatch):
    pw, wrong = marker("PW"), marker("WRONG")
    server, _ = await routes_lab(tmp_path)
    server.password = pw
    entry = {**server.config_entry(timeout=3), "identity_file": None, "password_env": "TFTUI_ROUTER_PW"}
    spec = parse_router({k: v for k, v in entry.items() if v is not None}, "t")
    monkeypatch.setenv("TFTUI_ROUTER_PW", pw)
    mon = RouterMonitor(spec, None, interval=60)
    shots = []
    try:
        st = await mon.refresh()
        assert st.errors == [] and len(st.routes) > 100  # the password worked
        app = routes_app(mon)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            shots.append(Path(app.save_screenshot(path=str(tmp_path), filename="ok.svg")).read_text())
            await mon.stop()  # the next login uses the wrong password
            monkeypatch.setenv("TFTUI_ROUTER_PW", wrong)
            mon.client._failures = 0
            st = await mon.refresh()
            await settle(pilot)
            assert any("authentication failed" in e for e in st.errors), st.errors
            shots.append(Path(app.save_screenshot(path=str(tmp_path), filename="bad.svg")).read_text())
            await pilot.press("y")  # the raw outputs
            shots.append(Path(app.save_screenshot(path=str(tmp_path), filename="raw.svg")).read_text())
        from tftui.services.routes import state_json
        export = state_json(mon.state)
        with pytest.raises(Exception) as info:
            await mon.client.neighbors()
    finally:
        await mon.stop()
        await server.stop()
    text = log_file.read_text()
    assert "authentication failed" in text
    for secret in (pw, wrong):
        assert_absent(secret, text, export, *shots, exc_text(info.value), *st.errors, _held(mon.client))


async def test_router_password_typed_into_the_prompt(tmp_path, log_file):
    pw = marker("TYPED")
    server, _ = await routes_lab(tmp_path)
    server.password = pw
    entry = {**server.config_entry(timeout=5), "identity_file": None, "password_prompt": True}
    spec = parse_router({k: v for k, v in entry.items() if v is not None}, "t")
    prompt = []  # the app's own password dialog, once the app exists

    async def ask(message: str):
        return await prompt[0](message)

    mon = RouterMonitor(spec, None, interval=60, prompt=ask)
    app = routes_app(mon)
    mon.autostart = True  # the pane connects by itself, and asks
    prompt.append(app.services.prompt)
    shots = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, PasswordScreen):
                    break
            assert isinstance(app.screen, PasswordScreen)
            await pilot.press(*pw)
            assert app.screen.query_one(Input).value == pw
            shots.append(Path(app.save_screenshot(path=str(tmp_path), filename="typing.svg")).read_text())
            await pilot.press("enter")
            for _ in range(100):
                await pilot.pause(0.05)
                if mon.state.last_fetched is not None:
                    break
            await settle(pilot)
            assert mon.state.errors == [] and app.screen.table.row_count > 100
            shots.append(Path(app.save_screenshot(path=str(tmp_path), filename="after.svg")).read_text())
    finally:
        await mon.stop()
        await server.stop()
    assert_absent(pw, log_file.read_text(), *shots, _held(mon.client), repr(mon.spec))


# ---------------------------------------------------------------------------------------------- keystone


def _cluster_config(tmp_path, api, ttl_env: str = "TFTUI_KS_PW") -> Path:
    path = tmp_path / "tftui.yaml"
    path.write_text(yaml.safe_dump({"clusters": {"lab": {
        "config_api": api.url, "nodes": [{"name": "ctrl1", "address": "127.93.0.10", "roles": ["config"]}],
        "auth": {"type": "keystone", "url": api.keystone_url, "username": "admin", "password_env": ttl_env,
                 "project": "admin", "domain": "Default"}}}}))
    return path


def _cli(cfg: Path, state: Path, env_pw: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TFTUI_STATE_DIR": str(state), "TFTUI_KS_PW": env_pw}
    return subprocess.run([sys.executable, "-m", "tftui", *args, "--config", str(cfg)], capture_output=True,
                          text=True, timeout=60, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


async def test_keystone_password_and_tokens_stay_out_of_everything(tmp_path, log_file):
    pw, wrong = marker("KS"), marker("KSWRONG")
    state = tmp_path / "cli-state"
    async with lab_api(keystone=True, password=pw, fault="expire") as api:
        cfg = _cluster_config(tmp_path, api)
        outs = []
        for args in (("policy", "export"), ("policy", "export", "--json"), ("networks", "--json")):
            res = await asyncio.to_thread(_cli, cfg, state, pw, *args)
            assert res.returncode == 0, res.stderr
            outs += [res.stdout, res.stderr]
        res = await asyncio.to_thread(_cli, cfg, state, wrong, "networks")
        assert res.returncode == 1 and "keystone refused" in res.stderr
        outs += [res.stdout, res.stderr]
        # in-process: a client, its failures, the editor and a screenshot of it
        auth = AuthSpec("keystone", api.keystone_url, "admin", "KS_PW", "admin", "Default")
        client = ConfigApiClient(ConfigApiSettings(api.url, auth, timeout=2.0), env={"KS_PW": pw})
        service = PolicyService(client, draft_dir=tmp_path / "drafts", cluster="lab")
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("5")
            await settle(pilot)
            api.keystone.expire_all()  # 401 mid-session: renewed
            await pilot.press("ctrl+r")
            await settle(pilot)
            shot = Path(app.save_screenshot(path=str(tmp_path), filename="policy.svg")).read_text()
        net = next(n for n in service.state.networks if n.fq_name[-1] == "tenant-net")
        await service.draft_network(net, fabric_snat=False)  # a draft on disk
        errors = []
        bad = ConfigApiClient(ConfigApiSettings(api.url, auth, timeout=2.0), env={"KS_PW": wrong})
        with pytest.raises(ConfigApiError) as e1:
            await bad.list("virtual-network")
        errors.append(e1.value)
        client._token = "not-a-token"  # a revoked token: 401, renewal, then fine
        await client.list("virtual-network")
        tokens = list(api.keystone.tokens)
        api.server.fault = "503"
        with pytest.raises(ConfigApiError) as e2:
            await client.list("virtual-network")
        errors.append(e2.value)
        await bad.aclose()
    with pytest.raises(ConfigApiError) as e3:  # the server is gone: a refused connection
        await client.list("virtual-network")
    errors.append(e3.value)
    await service.aclose()
    assert tokens and api.keystone.issued >= 3
    drafts = "".join(p.read_text() for p in (tmp_path / "drafts").glob("*.json"))
    assert "fabric_snat" in drafts
    logs = log_file.read_text() + (state / "tftui.log").read_text()
    assert "503 Service Unavailable" in logs
    texts = [logs, drafts, shot, *outs, *(exc_text(e) for e in errors), repr(client.__dict__.get("settings"))]
    for secret in (pw, wrong, *tokens):
        assert_absent(secret, *texts)


# ---------------------------------------------------------------------------------------------- files


def test_clear_text_password_in_config_is_warned_about(tmp_path):
    secret = marker("CFG")
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"clusters": {"x": {
        "nodes": [{"name": "a", "address": "127.0.0.1", "roles": ["control"]}],
        "routers": [{"name": "r", "host": "127.0.0.1", "password": secret}],
        "auth": {"type": "keystone", "token": secret}}}}))
    path.chmod(0o644)
    with pytest.raises(ConfigError) as refused:  # a router password is refused; the warnings still come with it
        load_config(str(path))
    warnings = refused.value.warnings
    assert "clusters.x." in str(refused.value)  # the key at fault, never its value
    assert any("routers.0.password holds a secret in clear" in w and "password_env" in w for w in warnings)
    assert any("auth.token holds a secret in clear" in w for w in warnings)
    assert any("readable by other users (chmod 600)" in w for w in warnings)
    assert_absent(secret, str(refused.value), *warnings)
    path.chmod(0o600)
    with pytest.raises(ConfigError) as refused:
        load_config(str(path))
    assert not any("readable" in w for w in refused.value.warnings)
    clean = tmp_path / "clean.yaml"
    clean.write_text(yaml.safe_dump({"clusters": {"x": {
        "nodes": [{"name": "a", "address": "127.0.0.1", "roles": ["control"]}],
        "routers": [{"name": "r", "host": "127.0.0.1", "password_env": "ROUTER_PW"}]}}}))
    assert load_config(str(clean)).warnings == []
    # headless commands print the warning too
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "tftui", "vmis", "--config", str(path)], capture_output=True,
                         text=True, timeout=60, env=env, cwd=ROOT)
    assert "holds a secret in clear" in res.stderr and secret not in res.stderr + res.stdout


def test_log_file_is_private(tmp_path):
    path = tmp_path / "state" / "tftui.log"
    try:
        setup_file_logging(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        path.chmod(0o644)  # an old, too open log file is tightened on the next start
        setup_file_logging(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        root = logging.getLogger("tftui")
        for h in [h for h in root.handlers if isinstance(h, logging.FileHandler)]:
            root.removeHandler(h)
            h.close()


def test_drafts_file_is_private(tmp_path):
    from tftui.services.policy_drafts import Draft, DraftStore, Op

    store = DraftStore(tmp_path, "lab")
    store.put(Draft("t", [Op("create", "tag", ["label=x"], {"tag_type_name": "label"})]))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_exception_text_of_a_refused_api_has_no_headers():
    async def go():
        settings = ConfigApiSettings("http://127.0.0.1:9", AuthSpec(), timeout=1.0)
        client = ConfigApiClient(settings)
        client._token = marker("TOK")
        try:
            with pytest.raises(ConfigApiError) as info:
                await client._request("GET", "http://127.0.0.1:9/virtual-networks",
                                      headers={"X-Auth-Token": client._token})
        finally:
            await client.aclose()
        return client._token, info.value

    token, exc = asyncio.run(go())
    assert "ConnectError" in str(exc)
    assert_absent(token, exc_text(exc))




async def test_credentials_inside_urls_are_redacted(tmp_path, log_file):
    from tftui.core.redact import redact

    assert redact("GET http://admin:pw@h:1/x and https://u:@h/") == "GET http://admin:***@h:1/x and https://u:***@h/"
    assert redact("http://h:8082/x user@host") == "http://h:8082/x user@host"
    pw, proxy_pw = marker("URL"), marker("PROXY")
    state = tmp_path / "cli-state"
    async with lab_api(fault="503") as api:
        url = api.url.replace("http://", f"http://admin:{pw}@")
        path = tmp_path / "url.yaml"
        path.write_text(yaml.safe_dump({"clusters": {"lab": {
            "config_api": url, "nodes": [{"name": "ctrl1", "address": "127.93.0.10", "roles": ["config"]}]}}}))
        outs = []
        for args in (("networks",), ("policy", "export"), ("info",)):
            res = await asyncio.to_thread(_cli, path, state, "", *args)
            outs += [res.stdout, res.stderr]
        assert "503 Service Unavailable" in outs[1] and "is a URL with a password in it" in outs[1]
        settings = ConfigApiSettings(url, AuthSpec(), timeout=2.0)
        service = PolicyService(ConfigApiClient(settings), draft_dir=tmp_path / "d", cluster="lab")
        api.server.fault = None
        app = policy_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "admin:***@" in str(app.screen.query_one(f"#{app.screen.wid('status')}", Static).render())
            shot = Path(app.save_screenshot(path=str(tmp_path), filename="url.svg")).read_text()
        await service.aclose()
    proxied = tmp_path / "proxy.yaml"
    proxied.write_text(yaml.safe_dump({"clusters": {"lab": {
        "config_api": "http://127.93.0.10:9", "proxy": f"http://u:{proxy_pw}@127.0.0.1:9",
        "nodes": [{"name": "ctrl1", "address": "127.93.0.10", "roles": ["config"]}]}}}))
    res = await asyncio.to_thread(_cli, proxied, state, "", "networks")
    assert res.returncode == 1
    outs += [res.stdout, res.stderr]
    logs = log_file.read_text() + (state / "tftui.log").read_text()
    for secret in (pw, proxy_pw):
        assert_absent(secret, logs, shot, *outs)
