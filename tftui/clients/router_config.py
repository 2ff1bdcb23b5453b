"""Writes to the gateway router's BGP configuration, over the router client's SSH connection.

The dialect is detected (vtysh's suite, then the VyOS op-mode `show version`); the configuration is read before
and after every write in the router's own format; a refused command or commit is shown with the router's own
message, and nothing is left half-configured: VyOS discards its session, FRR/Quagga get the inverse of what the
change applied (each operation on its own), and the configuration is read again to say whether it is as before.
Commands come only from core.peering.change's fixed templates; a write is never retried blindly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tftui.core.peering.change import COMMIT_FAILED_STATUS, REFUSED_STATUS, RouterChange, Step
from tftui.core.peering.dialect import Dialect, dialect_of
from tftui.core.peering.running import BgpConfig, parse_frr_running, parse_vyos_commands

from .router import WRAPPER, CommandOutput, RouterClient, RouterError

log = logging.getLogger(__name__)

SHOW_VERSION_OP = f"{WRAPPER} show version"
SHOW_CONFIG_OP = f"{WRAPPER} show configuration commands"
SHOW_RUNNING = "vtysh -c 'show running-config'"
WRITE_TIMEOUT = 120.0  # a VyOS 1.1 commit of the BGP tree takes seconds; never cut a write short
# vtysh's chatter around a write, not the router's answer
NOISE = ("Note: this version of vtysh never writes vtysh.conf", "Building Configuration...", "Building configuration...",
         "Warning: attempting direct configuration write without watchfrr.",
         "File permissions and ownership may be incorrect, or write may fail.")


class ReadOnlyRouter(RouterError):
    pass


@dataclass
class WriteResult:
    ok: bool
    outputs: list[CommandOutput] = field(default_factory=list)
    message: str = ""  # the router's own words when something failed
    rolled_back: bool = False
    unchanged: bool | None = None  # after a failure: the configuration reads as before (None: could not tell)
    after: BgpConfig | None = None
    warnings: list[str] = field(default_factory=list)

    def words(self) -> str:
        if self.ok:
            return "applied, read back and saved"
        state = {True: "the configuration is as it was before", False: "THE CONFIGURATION DIFFERS FROM BEFORE: check "
                 "it on the router", None: "could not read the configuration back"}[self.unchanged]
        return f"refused by the router: {self.message or '(no message)'}; {state}"


def router_words(out: CommandOutput) -> str:
    lines = [ln.rstrip() for ln in (out.stdout + "\n" + out.stderr).splitlines()]
    kept = [ln for ln in lines if ln.strip() and ln.strip() not in NOISE and "vtysh.conf" not in ln]
    return "\n".join(kept).strip()


def _comparable(text: str) -> list[str]:
    return sorted(ln.strip() for ln in text.splitlines() if ln.strip() and ln.strip() not in NOISE)


class RouterConfigurator:
    def __init__(self, client: RouterClient, readonly: bool = False):
        self.client = client
        self.readonly = readonly
        self._dialect: Dialect | None = None

    @property
    def name(self) -> str:
        return self.client.spec.name

    async def dialect(self) -> Dialect:
        if self._dialect is not None:
            return self._dialect
        suite = await self.client.detect()
        op_version = None
        if self.client.spec.kind in ("auto", "vyos"):
            out = await self.client.run_raw(SHOW_VERSION_OP)
            if out.exit_status not in (126, 127) and "not found" not in out.stderr:
                op_version = out.stdout
        try:
            self._dialect = dialect_of(suite, op_version, self.client.spec.kind)
        except ValueError as exc:
            raise RouterError(f"{self.name}: {exc}") from None
        return self._dialect

    async def read(self) -> tuple[BgpConfig, str]:
        """The BGP configuration as the router prints it, parsed, and the text itself."""
        d = await self.dialect()
        out = await self.client.run_raw(SHOW_RUNNING if d.vtysh_config else SHOW_CONFIG_OP)
        if out.exit_status not in (0, None) or out.stdout.lstrip().startswith("%"):
            raise RouterError(f"{self.name}: cannot read the configuration (`{out.command}` exited {out.exit_status}): "
                              f"{router_words(out)[:300] or 'no output'}")
        text = out.stdout
        return (parse_frr_running(text) if d.vtysh_config else parse_vyos_commands(text)), text

    async def router_id(self) -> str | None:
        """The router-id BGP runs with (configured or chosen), from `show ip bgp summary`."""
        try:
            fetched = await self.client.neighbors()
        except RouterError:
            return None
        rid = fetched.parsed.meta.get("router_id")
        return str(rid) if rid else None

    async def apply(self, change: RouterChange) -> WriteResult:
        if self.readonly:
            raise ReadOnlyRouter(f"{self.name}: read-only mode: nothing is written to the router")
        d = await self.dialect()
        if d.suite.name not in ("frr", "quagga"):
            raise RouterError(f"{self.name}: cannot tell the router's routing suite ({d.label()}): nothing written")
        if change.empty:
            return WriteResult(True)
        _, before_text = await self.read()
        result = WriteResult(False)
        failed, saved = False, False
        for step in change.steps():
            try:
                out = await self.client.run_raw(step.command, step.stdin, WRITE_TIMEOUT, retry=False)
            except RouterError as exc:
                result.message, failed = str(exc), True
                break
            result.outputs.append(out)
            why = self._refused(step, out, d)
            if why is not None:
                result.message, failed = why, True
                break
            if step.name == "save" or step.stdin is not None:
                saved = True
                self._save_warning(step, out, result)
        if not failed:
            after, _ = await self.read()
            wrong = change.verify(after)
            if not wrong:
                result.ok, result.after = True, after
                log.warning("router %s: configuration changed: %s", self.name, "; ".join(change.lines()))
                return result
            failed, result.message = True, "read back after the write: " + "; ".join(wrong)
        log.error("router %s: write refused: %s", self.name, result.message)
        await self._roll_back(change, before_text, saved, result)
        return result

    def _refused(self, step: Step, out: CommandOutput, d: Dialect) -> str | None:
        words = router_words(out)
        if step.stdin is not None:  # the VyOS script: its exit status names the failed step
            if out.exit_status == REFUSED_STATUS:
                return f"the router refused a command (session discarded): {words}"
            if out.exit_status == COMMIT_FAILED_STATUS or "Commit failed" in out.stdout:
                return f"commit failed (session discarded): {words}"
            if out.exit_status not in (0, None):
                return f"`{step.command}` exited {out.exit_status}: {words}"
            return None
        if out.exit_status not in (0, None):
            return words or f"`{step.command}` exited {out.exit_status}"
        if step.name == "save" and "[OK]" not in out.stdout:
            return words or "write memory did not say [OK]"
        return None

    @staticmethod
    def _save_warning(step: Step, out: CommandOutput, result: WriteResult) -> None:
        if step.stdin is not None and "Done" not in out.stdout:  # VyOS `save` always returns 0: read what it said
            result.warnings.append(f"save did not say Done: {router_words(out)[-300:]}")

    async def _roll_back(self, change: RouterChange, before_text: str, saved: bool, result: WriteResult) -> None:
        try:
            _, now = await self.read()
        except RouterError as exc:
            result.message += f" (and the configuration could not be read again: {exc})"
            return
        if _comparable(now) == _comparable(before_text):
            result.unchanged = True  # VyOS discarded its session, or nothing had been applied
            return
        result.rolled_back = True
        inverse = change.inverse()
        pieces = inverse.single_ops() if inverse.dialect.vtysh_config else [inverse]
        for piece in pieces:
            for step in piece.steps():
                if step.name == "save":
                    continue  # saved once below, and only if the change had been saved
                try:
                    out = await self.client.run_raw(step.command, step.stdin, WRITE_TIMEOUT, retry=False)
                    result.outputs.append(out)
                except RouterError as exc:
                    log.error("router %s: rollback step failed: %s", self.name, exc)
        if saved and inverse.dialect.vtysh_config:
            try:
                result.outputs.append(await self.client.run_raw(inverse.steps()[-1].command, None, WRITE_TIMEOUT,
                                                                retry=False))
            except RouterError as exc:
                log.error("router %s: saving after the rollback failed: %s", self.name, exc)
        try:
            _, now = await self.read()
            result.unchanged = _comparable(now) == _comparable(before_text)
        except RouterError:
            result.unchanged = None
