"""`:peer` — peer the gateway router with TF's control nodes, both sides from one screen (issue 16).

The router's AS and router-id and TF's AS are read; each control node is a row with its session as the router
sees it and as the control node sees it. `space` takes a control node in or out of the change, `+` adds the
peering and `x` removes it: the complete change on both sides in words, `y` in the confirmation shows the exact
commands and requests, enter applies both. Then the same rows follow the sessions with the elapsed time and the
gatewayless cross-check fills up above them; when they stay down the likely causes are listed (`W` checks again).
`C` picks another router of the config, `b` the eBGP policy choice a router that requires one needs. With
--readonly `+` and `x` are not bound. The flow lives in services/peering_flow.py.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual import work

from tftui.core.peering.plan import ADD, KEEP, NO_REQUIREMENT, REMOVE, ROUTE_MAP, PeeringPlan
from tftui.core.peering.status import PairStatus
from tftui.services.peering_flow import (
    APPLYING,
    DONE,
    DOWN,
    EXPECTED,
    READING,
    WATCHING,
    PeeringFlow,
    PeeringSnapshot,
)
from tftui.services.policy import ReadOnlyError

from ..framework import Column, ResourceView, Row, Tone, bindings, register
from ..framework.dialogs import ConfirmScreen, MessageScreen, PickerScreen, PromptScreen

EBGP_CHOICES = {
    NO_REQUIREMENT: "no-requirement: `no bgp ebgp-requires-policy` (every eBGP peer of the router then "
                    "exchanges routes without a policy)",
    ROUTE_MAP: "route-map: a permit-all import route-map on the control nodes' sessions only",
    KEEP: "keep: change nothing (you add your own policy; the routes stay refused until then)",
}
WRITES = ("add_peering", "remove_peering")
VERDICT_TONES = {"problem": "bold red", "look": "bold yellow", "unknown": "yellow", "ok": "green"}


def router_cell(pair: PairStatus) -> str:
    """The router's side in a table cell: its state and the routes it took from the control node (the session's
    age is in the detail panel)."""
    n = pair.router_side
    if n is None:
        return "not configured"
    if n.policy_blocked:
        return f"{n.state} (Policy: refused)"
    return f"{n.state} · {n.prefixes_received} routes" if n.prefixes_received is not None else n.state


def pair_row(snap: PeeringSnapshot, name: str, address: str, pair: PairStatus | None) -> Row:
    chosen = name in snap.chosen
    plan = snap.add
    if not chosen:
        change = Tone("—", "dim")
    elif plan is not None and name in plan.in_place:
        change = Tone("in place", "ok")
    else:
        change = Tone("to add", "accent")
    if pair is None:
        router, control = Tone("…", "dim"), Tone("…", "dim")
    else:
        side = pair.router_side
        router = Tone(router_cell(pair), "ok" if side is not None and side.established and not side.policy_blocked
                      else "dim" if side is None else "warn" if side.policy_blocked else "err")
        if not pair.control_watched:
            control = Tone("not watched", "dim")
        else:
            up = pair.control_side is not None and pair.control_side.established and pair.control_error is None
            control = Tone(pair.control_words(), "ok" if up else "dim" if pair.control_side is None else "err")
    rank = 0 if pair is None or pair.up else 2 if pair.router_side is not None else 1
    return Row(name, ("✓" if chosen else "", name, address, router, control, change), pair,
               search=f"{name} {address} {router.text} {control.text} {change.text}", rank=rank)


@register
class PeerView(ResourceView):
    NAME = "peer"
    ALIASES = ("peering",)
    TITLE = "Peer the router with TF"
    SERVICE = "peering"
    ITEMS = "control nodes"
    DETAIL_HEIGHT = 4
    BINDINGS = bindings("peer.mark", "peer.add", "peer.remove", "peer.router", "peer.ebgp", "peer.diagnose")
    COLUMNS = (
        Column("mark", "✓", 1, priority=0),
        Column("control", "Control node", 12, priority=0, min_width=6),
        Column("address", "Address", 15, priority=2),
        Column("router", "Router side", 26, priority=0, min_width=12, grow=True),
        Column("tf", "Control node side", 20, priority=0, min_width=12),
        Column("change", "Plan", 8, priority=1),
    )

    @property
    def flow(self) -> PeeringFlow:
        return self.feed  # type: ignore[return-value]

    # ------------------------------------------------------------------ snapshot -> screen
    def rows(self, snap: PeeringSnapshot) -> list[Row]:
        status = snap.progress if snap.progress is not None and snap.phase in (WATCHING, DOWN, DONE) else None
        pairs = {p.control: p for p in (snap.status.pairs if snap.status is not None else [])}
        if status is not None:
            pairs.update({p.control: p for p in status.pairs})
        return [pair_row(snap, c.name, c.address, pairs.get(c.name)) for c in snap.controls]

    def summary(self, snap: PeeringSnapshot) -> Text:
        text = Text()
        facts = snap.router_facts
        text.append(snap.router, style="bold")
        if facts is None:
            text.append(f"  {'reading the router and TF…' if snap.phase == READING else 'not read'}", style="dim")
            return text
        asn = facts.config.asn or snap.options.router_asn
        text.append(f" {facts.dialect.short()} AS {asn if asn is not None else 'none yet'} "
                    f"router-id {facts.router_id or '?'}")
        if snap.tf is not None:
            text.append(f"  ⇄  TF AS {snap.tf.asn}")
        text.append("\n")
        text.append_text(self._progress_line(snap))
        check = (snap.progress or snap.status)
        if check is not None and check.check is not None:
            c = check.check
            whole = c.ok == c.expected
            text.append(f"\ngatewayless cross-check: {c.ok}/{c.expected} pod /32s on the router via their vrouter",
                        style="green" if whole else "yellow")
        elif check is not None and check.check_note:
            text.append(f"\ngatewayless cross-check: {check.check_note}", style="dim")
        for cause in [c for c in snap.causes if c.verdict != "ok"][:3]:
            text.append(f"\n{cause.verdict}: ", style=VERDICT_TONES.get(cause.verdict, "bold"))
            text.append(f"{cause.title}: {cause.detail}")
        return text

    def _progress_line(self, snap: PeeringSnapshot) -> Text:
        if snap.phase in (WATCHING, DOWN, DONE) and snap.applied is not None:
            p = snap.progress
            pairs = p.pairs if p is not None else []
            up = sum(1 for x in pairs if x.up) if snap.applied.brings_up else sum(1 for x in pairs if x.gone)
            what = "up on both sides" if snap.applied.brings_up else "gone on both sides"
            elapsed = f"{p.elapsed:.0f}s" if p is not None else "0s"
            if snap.phase == DONE:
                return Text(f"{snap.message} · {up}/{len(pairs)} sessions {what}", style="bold green")
            if snap.phase == DOWN and p is not None and p.sessions_done and p.check is not None:
                missing = p.check.expected - p.check.ok
                return Text(f"{snap.applied.action}: {up}/{len(pairs)} sessions {what}; after {elapsed} "
                            f"{missing} pod /32s still not right (:gatewayless lists them)", style="bold yellow")
            if snap.phase == DOWN:
                return Text(f"{snap.applied.action}: {up}/{len(pairs)} sessions {what} after {elapsed} — "
                            f"likely causes below (W checks again)", style="bold red")
            return Text(f"{snap.applied.action} applied {elapsed} ago: {up}/{len(pairs)} sessions {what}…",
                        style="bold yellow")
        if snap.phase == APPLYING:
            return Text(snap.message, style="bold yellow")
        plan = snap.add
        if plan is None:
            return Text("no control node marked: space marks one", style="yellow")
        todo = [c.name for c in plan.controls if c.name not in plan.in_place]
        line = Text()
        if snap.message:
            line.append(f"{snap.message} · ", style="dim")
        if todo:
            line.append(f"+ peers {', '.join(todo)}", style="bold")
        else:
            line.append("peered on both sides", style="green")
        if plan.in_place:
            line.append(f" · in place: {', '.join(plan.in_place)}", style="dim")
        if snap.ebgp_choice_needed and snap.options.ebgp is None:
            line.append(" · b: eBGP policy needed", style="bold yellow")
        return line

    def detail(self, row: Row) -> Text | None:
        pair: PairStatus | None = row.item
        text = Text()
        if pair is None:
            text.append(f"{row.key}: its sessions are being read", style="dim")
            return text
        text.append(f"{pair.control} ({pair.address})", style="bold")
        text.append(f"\nrouter {self.flow.snapshot.router}: {pair.router_words()}")
        text.append(f"\ncontrol node: {pair.control_words() or 'not watched (no introspect in the config)'}")
        side = pair.control_side
        if side is not None and side.since:
            text.append(f" since {side.since}", style="dim")
        return text

    def raw_text(self) -> tuple[str, str] | None:
        """`y`: the complete change `+` would make (and what `x` would), in words and as the exact requests."""
        snap = self.flow.snapshot
        parts = []
        for plan in (snap.add, snap.remove):
            if plan is not None:
                parts += [plan.diff(), "", plan.requests(), ""]
        status = snap.progress or snap.status
        if status is not None:
            parts.append(json.dumps(status.to_json(), indent=2))
        if not parts:
            return None
        return f"{self.TITLE} — {snap.router}", "\n".join(parts)

    # ------------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES:
            return not self.services.readonly  # writes: not bound at all under --readonly
        return super().check_action(action, parameters)

    def action_mark(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.flow.toggle(row.key)

    def action_pick_router(self) -> None:
        routers = list(self.flow.snapshot.routers)
        if len(routers) < 2:
            self.notify(f"{routers[0]} is the only router of the config", timeout=3, markup=False)
            return

        def chosen(name: str | None) -> None:
            if name:
                self.flow.choose_router(name)

        self.app.push_screen(PickerScreen("Peer which router?", routers), chosen)

    @work(group="peer-write", exclusive=True)
    async def action_ebgp_policy(self) -> None:
        await self._ask_ebgp()

    async def _ask_ebgp(self) -> bool:
        labels = list(EBGP_CHOICES.values())
        answer = await self.app.push_screen_wait(PickerScreen(
            f"{self.flow.snapshot.router} refuses eBGP routes without a policy: what should tftui do?", labels))
        if answer is None:
            return False
        self.flow.set_options(ebgp=next(k for k, v in EBGP_CHOICES.items() if v == answer))
        return True

    @work(group="peer-write", exclusive=True)
    async def action_add_peering(self) -> None:
        snap = self.flow.snapshot
        if snap.router_facts is None or snap.tf is None:
            self.notify("both sides are still being read", timeout=3)
            return
        if snap.needs_router_asn and snap.options.router_asn is None:
            asn = await self.app.push_screen_wait(PromptScreen(
                f"{snap.router} has no BGP yet: its AS number", "e.g. 65311"))
            if not asn:
                return
            if not asn.isdigit() or not 0 < int(asn) < 2**32:
                self.report_error(f"not an AS number: {asn!r}")
                return
            self.flow.set_options(router_asn=int(asn))
        snap = self.flow.snapshot
        if snap.ebgp_choice_needed and snap.options.ebgp is None and not await self._ask_ebgp():
            return
        await self._confirm_and_apply(ADD, self.flow.snapshot.add)

    @work(group="peer-write", exclusive=True)
    async def action_remove_peering(self) -> None:
        await self._confirm_and_apply(REMOVE, self.flow.snapshot.remove)

    async def _confirm_and_apply(self, action: str, plan: PeeringPlan | None) -> None:
        if plan is None:
            self.notify("no control node marked: space marks one", timeout=3)
            return
        if plan.problems:
            await self.app.push_screen_wait(MessageScreen(f"peer {action}: cannot be applied", plan.diff().splitlines()))
            return
        if plan.empty:
            self.notify(f"peer {action}: nothing to change on either side", timeout=3)
            return
        names = ", ".join(c.name for c in plan.controls)
        verb = "Peer" if action == ADD else "Unpeer"
        answer = await self.app.push_screen_wait(ConfirmScreen(
            f"{verb} {plan.router.name} and {names}? Both sides are changed.", plan.diff().splitlines(),
            plan.requests(), hint="enter applies both sides · esc cancels · y: the exact commands and requests"))
        if answer != "send":
            self.notify("Nothing was sent.", timeout=3)
            return
        try:
            result = await self.flow.apply(action)
        except (ReadOnlyError, *EXPECTED) as exc:
            self.report_error(f"peer {action}: {exc}")
            return
        if result.ok:
            self.notify(f"peer {action}: {result.words()}; watching both sides", timeout=5, markup=False)
        else:
            self.report_error(f"peer {action}: {result.words()}")

    @work(group="peer-diagnose", exclusive=True)
    async def action_diagnose(self) -> None:
        try:
            causes = await self.flow.diagnose()
        except EXPECTED as exc:
            self.report_error(f"cannot check the causes: {exc}")
            return
        lines = [c.words() for c in causes] or ["nothing to check: no session is planned"]
        await self.app.push_screen_wait(MessageScreen("Why the session may not be up", lines))
