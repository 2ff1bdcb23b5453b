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


# the seed's firewall walk as a `tftui policy apply` file
SEED = """
version: 1
tags: [label=cirros1, label=cirros2]
firewall_rules:
- name: default-policy-management:deny-icmp
  action: deny
  protocol: icmp
  endpoint_1: {tags: [label=cirros1]}
  endpoint_2: {tags: [label=cirros2]}
- {name: "default-policy-management:allow-rest", action: pass, protocol: any, endpoint_1: any, endpoint_2: any}
firewall_policies:
- name: default-policy-management:cirros
  rules: [default-policy-management:deny-icmp, default-policy-management:allow-rest]
application_policy_sets:
- {name: "default-policy-management:k8s", tags: [application=k8s], policies: [default-policy-management:cirros]}
"""
