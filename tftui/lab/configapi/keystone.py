"""A small keystone v3 for the lab: ``POST /v3/auth/tokens`` with a password, tokens that expire.

Tokens are random and kept in memory only; the password is compared, never stored in a file.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from aiohttp import web


class KeystoneLab:
    def __init__(self, username: str, password: str, project: str = "admin", ttl: float = 3600.0):
        self.username = username
        self._password = password
        self.project = project
        self.ttl = ttl
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.issued = 0
        self.app = web.Application()
        self.app.router.add_post("/v3/auth/tokens", self.issue)

    def valid(self, token: str) -> bool:
        expiry = self.tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def expire_all(self) -> None:
        """Make every issued token stale, as a keystone restart or a short TTL would."""
        for token in self.tokens:
            self.tokens[token] = 0.0

    async def issue(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
            ident = body["auth"]["identity"]
            user = ident["password"]["user"]
            name, password = str(user["name"]), str(user["password"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="Bad Request: expected a keystone v3 password auth body")
        if name != self.username or not hmac.compare_digest(password.encode(), self._password.encode()):
            return web.Response(status=401, text="The request you have made requires authentication.")
        token = secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + self.ttl
        self.issued += 1
        expires = datetime.fromtimestamp(time.time() + self.ttl, UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        doc = {"token": {"expires_at": expires, "methods": ["password"],
                         "user": {"name": name, "domain": {"name": "Default"}},
                         "project": {"name": self.project, "domain": {"name": "Default"}},
                         "roles": [{"name": "admin"}]}}
        return web.json_response(doc, status=201, headers={"X-Subject-Token": token})
