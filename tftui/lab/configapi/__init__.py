"""The lab's TF config API (port 8082 on the first controller), seeded from the lab topology.

``start_config_api`` is usable on its own (tests); the registered component starts it with the
lab's arguments and writes ``config_api`` (and ``auth`` when keystone is on) into the cluster config.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from aiohttp import web

from tftui.lab.runner import LabContext, register_component
from tftui.lab.topology import Topology

from . import rules
from .http import ConfigApiServer
from .keystone import KeystoneLab
from .seed import seed, seed_demo
from .store import Store

PASSWORD_ENV = "TFTUI_LAB_PASSWORD"
DEFAULT_PASSWORD = "contrail123"  # the lab's own throwaway credential; real clusters use password_env


@dataclass
class RunningConfigApi:
    server: ConfigApiServer
    url: str
    runners: list[web.AppRunner]
    keystone: KeystoneLab | None = None
    keystone_url: str | None = None

    @property
    def store(self) -> Store:
        return self.server.store

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()


def build_store(topo: Topology, state: str | None = None, demo: bool = False) -> Store:
    store = Store()
    store.rules = rules
    if state and os.path.exists(state):
        with open(state, encoding="utf-8") as fh:
            store.load(json.load(fh))
    else:
        seed(store, topo)
        if demo:
            seed_demo(store, topo)
    if state:
        store.on_change = lambda: store.save(state)
        store.save(state)
    return store


async def _serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    sockets = site._server.sockets if site._server else []  # the bound port when 0 was asked
    return runner, (sockets[0].getsockname()[1] if sockets else port)


async def start_config_api(topo: Topology, host: str | None = None, port: int = 8082, state: str | None = None,
                           keystone: bool = False, keystone_port: int = 5000, token_ttl: float = 3600.0,
                           password: str | None = None, fault: str | None = None,
                           demo: bool = False) -> RunningConfigApi:
    host = host or next(n.address for n in topo.nodes if "config" in n.roles)
    store = build_store(topo, state, demo)
    ks = None
    runners = []
    keystone = keystone or fault == "expire"  # token expiry needs tokens
    ks_url = None
    if keystone:
        ks = KeystoneLab("admin", password or os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD, ttl=token_ttl)
        ks_runner, ks_port = await _serve(ks.app, host, keystone_port)
        runners.append(ks_runner)
        ks_url = f"http://{host}:{ks_port}/v3"
    server = ConfigApiServer(store, ks, fault=fault)
    runner, bound = await _serve(server.app, host, port)
    runners.append(runner)
    return RunningConfigApi(server, f"http://{host}:{bound}", runners, ks, ks_url)


@register_component
async def start(ctx: LabContext) -> None:
    args = ctx.args
    api = await start_config_api(
        ctx.topo, port=getattr(args, "config_api_port", 8082), state=getattr(args, "state", None),
        keystone=getattr(args, "keystone", False), keystone_port=getattr(args, "keystone_port", 5000),
        token_ttl=getattr(args, "token_ttl", 3600.0), fault=getattr(args, "api_fault", None),
        demo=ctx.topo.scenario == "demo")
    ctx.stoppers.append(api.stop)
    ctx.shared["config_api"] = api
    ctx.shared["keystone"] = api.keystone
    if ctx.peering is not None:
        ctx.peering.attach_store(api.store)  # TF's side of the router's sessions follows this API from now on
    ctx.cluster["config_api"] = api.url
    if api.keystone_url:
        ctx.cluster["auth"] = {"type": "keystone", "url": api.keystone_url, "username": "admin",
                               "password_env": PASSWORD_ENV, "project": "admin", "domain": "Default"}
