"""The lab's contrail-analytics-api: the real URLs, JSON shapes, filters, error codes and both query modes.

Routes as tf-analytics ``contrail-opserver/opserver.py`` registers them. hrefs are built from the Host
the client used, so a crawler that follows them reaches this server. With keystone on, every request
needs ``X-Auth-Token`` (401 with ``WWW-Authenticate: Keystone uri=...`` otherwise). ``fault="partial"``
answers UVE and alarm reads with 500 and the data, as a server with UVE partitions down does.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import time
from typing import Any

from aiohttp import web

from tftui.core.analytics.uve import plural, singular

from .state import AnalyticsState
from .tables import QueryRefused
from .uves import now_us

QUERY_TTL = 300.0  # results stay in redis about five minutes (log.py)
# A multi-get (``uves/vrouter/*``) is built once per change and sent again as it is for a few seconds: 25 MB
# of NodeStatus at 10,000 vrouters took the lab longer to build than the client's timeout. The NodeStatus
# ``__T`` it carries is then up to this old, as a real collector's is (nodemgrs resend about every minute).
MULTI_REPLY_TTL = 30.0
CHUNK_ROWS = 10_000


def _sandesh_typed(value: Any) -> Any:
    """Plain JSON to the raw (not ``?flat``) Sandesh-dict form."""
    if isinstance(value, dict):
        return {"@type": "struct", **{k: _sandesh_typed(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"@type": "list", "list": {"@type": "struct" if value and isinstance(value[0], dict) else "string",
                                          "@size": str(len(value)), "element": [_sandesh_typed(v) for v in value]}}
    if isinstance(value, bool):
        return {"@type": "bool", "#text": "true" if value else "false"}
    if isinstance(value, int):
        return {"@type": "u64", "#text": str(value)}
    if isinstance(value, float):
        return {"@type": "double", "#text": repr(value)}
    return {"@type": "string", "#text": str(value)}


def _cfilt(uve: dict, cfilt: list[str]) -> dict:
    if not cfilt:
        return uve
    out: dict[str, Any] = {}
    for item in cfilt:
        struct, _, attr = item.partition(":")
        if struct not in uve:
            continue
        if attr:
            if attr in uve[struct]:
                out.setdefault(struct, {})[attr] = uve[struct][attr]
        else:
            out[struct] = uve[struct]
    return out


def _ackfilt(uve: dict, ack: bool | None) -> dict:
    if ack is None or "UVEAlarms" not in uve:
        return uve
    kept = [a for a in uve["UVEAlarms"]["alarms"] if a.get("ack") == ack]
    rest = {k: v for k, v in uve.items() if k != "UVEAlarms"}
    return {**rest, "UVEAlarms": {**uve["UVEAlarms"], "alarms": kept}} if kept else rest


class AnalyticsApi:
    def __init__(self, state: AnalyticsState, keystone=None, fault: str | None = None, max_rows: int = 100_000):
        self.state = state
        self.keystone = keystone
        self.fault = fault
        self.max_rows = max_rows
        self.queries: dict[str, tuple[float, list[dict]]] = {}
        self._multi_replies: dict[tuple[str, str, str], tuple[int, float, bytes]] = {}  # -> (version, built, body)
        self._qids = itertools.count(1)
        self.requests = 0
        self.app = web.Application(middlewares=[self._auth])
        r = self.app.router
        r.add_get("/analytics", self.root)
        r.add_get("/analytics/uves", self.uve_types)
        r.add_get("/analytics/uve-types", self.uve_type_info)
        r.add_get("/analytics/uves/{types}", self.uve_list)
        r.add_get("/analytics/uves/{type}/{name:.+}", self.uve_get)
        r.add_post("/analytics/uves/{type}", self.uve_post)
        r.add_get("/analytics/alarms", self.alarms)
        r.add_post("/analytics/alarms/acknowledge", self.acknowledge)
        r.add_get("/analytics/tables", self.tables)
        r.add_post("/analytics/query", self.query, expect_handler=self._expect)
        r.add_get("/analytics/query/{qid}", self.query_status)
        r.add_get("/analytics/query/{qid}/chunk-final/{n}", self.query_chunk)

    @web.middleware
    async def _auth(self, request: web.Request, handler):
        self.requests += 1
        if self.keystone is not None and not self.keystone.valid(request.headers.get("X-Auth-Token", "")):
            return web.Response(status=401, text="Authentication required",
                                headers={"WWW-Authenticate": "Keystone uri='lab'"})
        return await handler(request)

    async def _expect(self, request: web.Request) -> None:
        """``Expect: 202-accepted`` asks for async mode (opserver.py), not for a 100 Continue: accept it."""
        if request.headers.get("Expect", "").lower() == "100-continue":
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _base(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    def _uve_reply(self, data: Any) -> web.Response:
        return web.json_response(data, status=500 if self.fault == "partial" else 200)

    # ------------------------------------------------------------------ UVEs
    async def root(self, request: web.Request) -> web.Response:
        base = self._base(request)
        return web.json_response([{"name": n, "href": f"{base}/analytics/{n}"}
                                  for n in ("uves", "alarms", "tables", "queries", "uve-types", "query")])

    async def uve_types(self, request: web.Request) -> web.Response:
        self.state.watch()
        base = self._base(request)
        return self._uve_reply([{"name": plural(t), "href": f"{base}/analytics/uves/{plural(t)}"}
                                for t in self.state.types()])

    async def uve_type_info(self, request: web.Request) -> web.Response:
        return web.json_response({t: {"global_system_object": t not in ("virtual-network",
                                                                         "virtual-machine-interface")}
                                  for t in self.state.types()})

    def _filters(self, query) -> tuple[list[str], list[str], str | None, str | None, bool | None]:
        cfilt = [c for c in query.get("cfilt", "").split(",") if c]
        kfilt = [k for k in query.get("kfilt", "").split(",") if k]
        ack = query.get("ackfilt")
        return cfilt, kfilt, query.get("sfilt"), query.get("mfilt"), None if ack is None else ack == "true"

    def _select(self, uve_type: str, patterns: list[str], cfilt: list[str], sfilt: str | None, mfilt: str | None,
                ack: bool | None) -> dict[str, dict]:
        out = {}
        structs = frozenset(item.partition(":")[0] for item in cfilt) or None  # the others are filtered out
        for key, uve in self.state.matching(uve_type, patterns, structs).items():
            if sfilt and key != sfilt and uve.get("UveVMInterfaceAgent", {}).get("vrouter") != sfilt:
                continue
            if mfilt:
                module = mfilt.split(":")[1] if mfilt.count(":") >= 2 else mfilt
                modules = {p.get("module_id") for p in uve.get("NodeStatus", {}).get("process_status", [])}
                if module not in modules:
                    continue
            uve = _cfilt(_ackfilt(uve, ack), cfilt)
            if uve:
                out[key] = uve
        return out

    async def uve_list(self, request: web.Request) -> web.Response:
        self.state.watch()
        uve_type = singular(request.match_info["types"])
        cfilt, kfilt, sfilt, mfilt, ack = self._filters(request.query)
        filtered = bool(cfilt or kfilt or sfilt or mfilt) or ack is not None
        keys = list(self._select(uve_type, kfilt, cfilt, sfilt, mfilt, ack)) if filtered else self.state.keys(uve_type)
        carry = "".join(f"&{k}={request.query[k]}" for k in ("cfilt", "sfilt", "mfilt", "ackfilt")
                        if k in request.query)
        base = self._base(request)
        return self._uve_reply([{"name": k, "href": f"{base}/analytics/uves/{uve_type}/{k}?flat{carry}"}
                                for k in keys])

    async def uve_get(self, request: web.Request) -> web.Response:
        self.state.watch()
        uve_type, name = singular(request.match_info["type"]), request.match_info["name"]
        cfilt, kfilt, sfilt, mfilt, ack = self._filters(request.query)
        flat = "flat" in request.query or bool(cfilt or kfilt or sfilt or mfilt or ack is not None)
        if "*" in name:
            return self._multi_reply(uve_type, name, request.query_string, flat, (cfilt, sfilt, mfilt, ack))
        found = self._select(uve_type, [name], cfilt, sfilt, mfilt, ack)
        uve = found.get(name, {})
        return self._uve_reply(uve if flat else {k: _sandesh_typed(v) for k, v in uve.items()})

    def _multi_reply(self, uve_type: str, pattern: str, query: str, flat: bool, filters: tuple) -> web.Response:
        key = (uve_type, pattern, query)
        cached = self._multi_replies.get(key)
        if cached is None or cached[0] != self.state.version or time.monotonic() - cached[1] > MULTI_REPLY_TTL:
            cfilt, sfilt, mfilt, ack = filters
            found = self._select(uve_type, [pattern], cfilt, sfilt, mfilt, ack)
            value = [{"name": k, "value": v if flat else _sandesh_typed(v)} for k, v in found.items()]
            cached = self._multi_replies[key] = (self.state.version, time.monotonic(), json.dumps({"value": value})
                                                 .encode())
        return web.Response(body=cached[2], status=500 if self.fault == "partial" else 200,
                            content_type="application/json", charset="utf-8")  # as json_response's

    async def uve_post(self, request: web.Request) -> web.Response:
        self.state.watch()
        if request.content_type != "application/json":
            return web.Response(status=400, text="Bad Request: Content-Type must be application/json")
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return web.Response(status=400, text="Bad Request: body is not JSON")
        if not isinstance(body, dict):
            return web.Response(status=400, text="Bad Request: body must be a JSON object")
        cfilt = body.get("cfilt") or []
        found = self._select(singular(request.match_info["type"]), list(body.get("kfilt") or ["*"]),
                             list(cfilt) if isinstance(cfilt, list) else [str(cfilt)], body.get("sfilt"),
                             body.get("mfilt"), body.get("ackfilt"))
        return self._uve_reply({"value": [{"name": k, "value": v} for k, v in found.items()]})

    # ------------------------------------------------------------------ alarms
    async def alarms(self, request: web.Request) -> web.Response:
        self.state.watch()
        tables = [t for t in request.query.get("tablefilt", "").split(",") if t]
        kfilt = [k for k in request.query.get("kfilt", "").split(",") if k] or ["*"]
        ack = request.query.get("ackfilt")
        out: dict[str, list] = {}
        for uve_type, per_key in self.state.all_alarms().items():
            if tables and uve_type not in tables:
                continue
            for key, block in per_key.items():
                if not any(fnmatch.fnmatchcase(key, p) for p in kfilt):
                    continue
                alarms = [a for a in block["alarms"] if ack is None or a["ack"] == (ack == "true")]
                if alarms:
                    out.setdefault(uve_type, []).append({"name": key, "value": {"UVEAlarms": {**block,
                                                                                              "alarms": alarms}}})
        return self._uve_reply(out)

    async def acknowledge(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.Response(status=400, text="Bad Request: Content-Type must be application/json")
        try:
            body = json.loads(await request.read())
            table, name, alarm_type, token = (str(body[k]) for k in ("table", "name", "type", "token"))
        except (ValueError, KeyError, TypeError):
            return web.Response(status=404, text="Invalid request: table, name, type and token are required")
        self.state.watch()
        self.state.uve(table, name)  # evaluate now: an alarm raised since the last read can be acknowledged
        error = self.state.alarmgen.acknowledge(table, name, alarm_type, token)
        self.state.version += 1  # the UVEs show the acknowledgement
        if error == "invalid token":
            return web.Response(status=404, text="Invalid token")
        if error:
            return web.Response(status=500, text=error)
        return web.Response(status=200)

    # ------------------------------------------------------------------ queries
    async def tables(self, request: web.Request) -> web.Response:
        base = self._base(request)
        return web.json_response([{"name": t, "href": f"{base}/analytics/table/{t}"} for t in self.state.tables.names()])

    async def query(self, request: web.Request) -> web.Response:
        self.state.watch()
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="Bad Request: query body is not JSON")
        try:
            rows = self.state.tables.run(body, now_us())
        except QueryRefused as exc:
            return web.Response(status=exc.status, text=str(exc))
        if len(rows) > self.max_rows:
            return web.Response(status=403, text=f"Result size exceeded: {len(rows)} rows (ENOBUFS)")
        if request.headers.get("Expect") != "202-accepted":
            return web.json_response({"value": rows})
        self._expire()
        qid = f"lab-{next(self._qids):08x}-{int(time.time())}"
        self.queries[qid] = (time.monotonic(), rows)
        return web.json_response({"href": f"/analytics/query/{qid}"}, status=202)

    def _expire(self) -> None:
        now = time.monotonic()
        for qid in [q for q, (t, _) in self.queries.items() if now - t > QUERY_TTL]:
            del self.queries[qid]

    async def query_status(self, request: web.Request) -> web.Response:
        self._expire()
        qid = request.match_info["qid"]
        if qid not in self.queries:
            return web.Response(status=410, text="Invalid query id")
        rows = self.queries[qid][1]
        n_chunks = max(1, -(-len(rows) // CHUNK_ROWS))
        chunks = [{"progress": 100, "lines": len(rows[i * CHUNK_ROWS:(i + 1) * CHUNK_ROWS]),
                   "count": len(rows[i * CHUNK_ROWS:(i + 1) * CHUNK_ROWS]),
                   "href": f"/analytics/query/{qid}/chunk-final/{i}"} for i in range(n_chunks)]
        return web.json_response({"progress": 100, "chunks": chunks})

    async def query_chunk(self, request: web.Request) -> web.Response:
        self._expire()
        qid = request.match_info["qid"]
        if qid not in self.queries:
            return web.Response(status=410, text="Invalid query id")
        try:
            n = int(request.match_info["n"])
        except ValueError:
            return web.Response(status=404, text="Invalid chunk")
        rows = self.queries[qid][1]
        return web.json_response({"value": rows[n * CHUNK_ROWS:(n + 1) * CHUNK_ROWS]})
