"""Keystone v3 password tokens for the TF APIs that take ``X-Auth-Token`` (config API, analytics API).

The password comes from the environment variable the config names; it is never logged, kept in an
exception, or stored beyond the request that sends it.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tftui.core.policy.settings import AuthSpec


class KeystoneError(Exception):
    def __init__(self, status: int, text: str, url: str = ""):
        self.status = status
        self.text = text
        self.url = url
        super().__init__(text)


async def keystone_token(http: httpx.AsyncClient, auth: AuthSpec, env: Mapping[str, str]) -> str:
    password = env.get(auth.password_env or "")
    if not password:
        raise KeystoneError(401, f"keystone password: environment variable {auth.password_env} is not set")
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth.username, "password": password, "domain": {"name": auth.domain}}}},
        "scope": {"project": {"name": auth.project, "domain": {"name": auth.domain}}}}}
    url = f"{auth.url}/auth/tokens"
    try:
        resp = await http.post(url, json=body)
    except httpx.HTTPError as exc:
        raise KeystoneError(0, f"keystone {url}: {exc.__class__.__name__}: {exc}", url) from None
    token = resp.headers.get("X-Subject-Token")
    if resp.status_code not in (200, 201) or not token:
        raise KeystoneError(resp.status_code or 401, f"keystone refused the credentials of {auth.username}: "
                            f"{resp.text.strip()[:200]}", url)
    return token
