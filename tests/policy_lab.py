"""Shared helpers for the policy tests: a lab config API on loopback and a client for it."""

from __future__ import annotations

import contextlib
import functools

from tftui.clients.configapi import ConfigApiClient
from tftui.core.policy.settings import AuthSpec, ConfigApiSettings
from tftui.lab.configapi import start_config_api
from tftui.lab.topology import build

BASE = 93


@functools.lru_cache(maxsize=4)
def topology(vrouters: int):
    return build("demo", base=BASE, vrouters=vrouters)  # the config API only reads it


@contextlib.asynccontextmanager
async def lab_api(vrouters: int = 2, **kw):
    api = await start_config_api(topology(vrouters), port=0, **kw)
    try:
        yield api
    finally:
        await api.stop()


def client_for(api, env: dict | None = None, **kw) -> ConfigApiClient:
    auth = AuthSpec()
    if api.keystone_url:
        auth = AuthSpec("keystone", api.keystone_url, "admin", "LAB_PW", "admin", "Default")
    return ConfigApiClient(ConfigApiSettings(api.url, auth, timeout=3.0, **kw), env=env or {})
