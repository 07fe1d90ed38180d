"""`nba-console watch`: the morning check on a schedule, telling the channels what changed.

Each run judges the game date as of its own moment with the same runner as `check`
(morning.run_all), compares every check's status with what the channels were last told
(`decide`, pure), queues one message per run that has changes in the outbox of the state
file, saves (recorded before sending), delivers, and saves again (recorded after). A message
that a dead channel refused stays in the outbox and is retried on the next runs; the check
itself never waits on a channel beyond the bounded retries of one delivery.

Statuses are not hard-coded here: whatever the judges say, a change of the *alert level*
is told. ok and unknown are quiet (nothing wrong established); warn, fail and error are
told when they start, change or end ("recovered"); a lasting fail is reminded every
`watch.remind_every`; an error is told once and again only if it lasts past
`watch.error_repeat_after` (a flapping source does not page every five minutes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from console.core.clock import Clock, FixedClock, ReplayClock
from console.core.config import Settings
from console.core.config_sections import NotifyChannel, WatchSettings
from console.core.models import CheckResult, Report, Status
from console.core.team import TeamStore
from console.core.timestamps import parse_timestamp
from console.services.notify import Delivery, DeliveryError, top_rows
from console.services.runner import SPEC_BY_ID, SPECS, CheckContext, run_all
from console.services.watch_state import StateStore, WatchState, state_path
from console.services.watch_team import (
    ack_fields,
    acks_by_key,
    date_notes,
    judge_ack,
    links,
    record_run,
    settle_ack,
)
from panels.spec import CheckSpec

log = logging.getLogger("nba_console.watch")

QUIET = frozenset({Status.OK.value, Status.UNKNOWN.value})


def is_quiet(status: str | None) -> bool:
    return status is None or status in QUIET


def decide(
    memory: dict[str, Any] | None,
    result: CheckResult,
    now: datetime,
    ws: WatchSettings,
    acknowledged: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """What to tell about one check this run: (new memory, kind of message or None).
    `acknowledged`: someone is on it (an ack that holds): no reminder, and the reminder clock
    does not move, so the first run after the ack ends reminds at once if one is due.

    memory: {"status": seen last run, "since": when it became that, "announced": what the
    channels were told last, "announced_at", "error_told_at"}. Kinds: "new" (quiet -> bad),
    "changed" (bad -> another bad), "recovered" (bad -> quiet), "error", "reminder".
    """
    seen = _parse((memory or {}).get("seen_at"))
    if seen is not None and now < seen:
        return dict(memory or {}), None  # judged as of an earlier moment than already told: stale
    mem = dict(memory or {})
    current, stamp = result.status.value, now.isoformat()
    if mem.get("status") != current:
        mem["status"], mem["since"] = current, stamp
    mem["seen_at"] = stamp
    announced = mem.get("announced")
    if is_quiet(announced) and is_quiet(current):
        mem["announced"] = current  # ok <-> unknown is not news
        return mem, None
    if current == announced:
        every = (
            ws.error_repeat_after
            if current == Status.ERROR.value
            else (ws.remind_every if current == Status.FAIL.value else None)
        )
        told = _parse(mem.get("announced_at"))
        if every is None or told is None or now - told < every or acknowledged:
            return mem, None
        kind = "reminder"
    elif current == Status.ERROR.value:
        last_error = _parse(mem.get("error_told_at"))
        if last_error is not None and now - last_error < ws.error_repeat_after:
            return mem, None  # told about this source's failure recently: not again yet
        kind = "error"
        mem["error_told_at"] = stamp
    elif is_quiet(current):
        kind = "recovered"
    elif is_quiet(announced):
        kind = "new"
    else:
        kind = "changed"
    mem["previous"] = announced
    mem["announced"], mem["announced_at"] = current, stamp
    return mem, kind


def _parse(text: Any) -> datetime | None:
    return parse_timestamp(text)  # the one parser: in range, with an offset, or None


def change_entry(
    result: CheckResult, kind: str, memory: dict[str, Any], settings: Settings, game_date: date | None = None
) -> dict[str, Any]:
    spec = SPEC_BY_ID.get(result.id)
    since = _parse(memory.get("since"))
    commands, why = suggested(spec, result, settings)
    return {
        "check": result.id,
        "title": result.title,
        "kind": kind,
        "status": result.status.value,
        "previous": memory.get("previous"),
        "since": memory.get("since"),
        "since_local": since.astimezone(settings.tz).strftime("%H:%M %Z") if since else None,
        "summary": result.summary,
        "rows": top_rows(result, tz=settings.tz),
        "commands": commands,
        "suggestion": why,
        **(links(settings, game_date, result.id) if game_date is not None else {}),
    }


def suggested(spec: CheckSpec[Any] | None, result: CheckResult, settings: Settings) -> tuple[list[str], str | None]:
    """The playbook command the evidence calls for, by the rule the drill-down and the playbooks
    screen use (console/playbook/suggest.py): one at most, every parameter filled in from the
    evidence, or none; and why (None for a check that has no playbook, or is not wrong)."""
    if spec is None or not spec.playbooks or is_quiet(result.status.value):
        return [], None
    from console.playbook.suggest import suggestion  # the playbook models: only when something is told

    hint = suggestion(spec, result, settings)
    command = hint.command()
    return ([command] if command else []), hint.why


def status_change_text(title: str, before: str | None, after: str | None) -> str | None:
    """The console's one-line notice when a panel's status changes (None: nothing to say)."""
    if before is None or after is None or before == after:
        return None
    return f"{title}: {before} → {after}" + (" (recovered)" if is_quiet(after) and not is_quiet(before) else "")


# ------------------------------------------------------------------ one run


@dataclass
class RunOutcome:
    report: Report
    changes: list[dict[str, Any]] = field(default_factory=list)
    delivered: int = 0  # messages a channel accepted this run (this run's and older ones)
    queued: int = 0  # messages left in the outbox for this run's channels: retried next run
    failed: list[str] = field(default_factory=list)  # safe-to-print delivery errors
    summary_queued: bool = False  # this run made the summary (once per game date)
    summaries_sent: int = 0  # summary messages a channel accepted this run (made now or earlier)
    summaries_waiting: int = 0  # summary messages still in the outbox for this run's channels
    heartbeat_problem: str | None = None  # the dead-man's-switch ping failed

    def delivery_text(self) -> str:
        """`2 sent; summary sent`, `0 sent, 2 queued; …; summary queued (not delivered yet)`:
        what the channels accepted this run and what waits for the next, truly."""
        text = f"{self.delivered} sent" + (f", {self.queued} queued" if self.queued else "")
        if self.failed:
            text += f"; {len(self.failed)} delivery failure{'s' if len(self.failed) != 1 else ''}"
        if self.summaries_waiting:
            text += "; summary queued (not delivered yet)"
        elif self.summaries_sent:
            text += "; summary sent"
        if self.heartbeat_problem:
            text += "; heartbeat failed"
        return text


@dataclass
class Watcher:
    settings: Settings
    channels: list[NotifyChannel]
    game_date: date
    backend_factory: Callable[[Settings], Any]
    report_dir: Path | None = None
    delivery: Delivery | None = None
    until: datetime | None = None  # summary time; None: no summary
    team: TeamStore | None = None  # acks and the heartbeat (None: the configured one)
    every: timedelta | None = None  # the schedule's period, for the heartbeat (None: watch.every)
    heartbeat_url: str | None = None
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # the heartbeat's time

    def __post_init__(self) -> None:
        self.delivery = self.delivery or Delivery(self.settings)
        self.store = StateStore(state_path(self.settings))
        if self.team is None:
            from console.services.team_records import open_team_store

            self.team = open_team_store(self.settings)

    def judge(self, as_of: datetime) -> Report:
        ctx = CheckContext(settings=self.settings, game_date=self.game_date, as_of=as_of)
        try:
            backend = self.backend_factory(self.settings)
        except Exception as exc:  # noqa: BLE001 - cannot even open the source: every check is an error
            return _all_errors(ctx, f"cannot open the {self.settings.backend} backend: {exc}")
        try:
            try:
                backend.preflight()
            except Exception as exc:  # noqa: BLE001 - no credentials: one error per check, told once
                return _all_errors(ctx, str(exc), backend.name)
            return run_all(backend, ctx)
        finally:
            try:
                backend.close()
            except Exception as exc:  # noqa: BLE001 - closing must not lose the verdicts
                log.debug("closing the backend failed: %s", exc)

    def run(self, as_of: datetime) -> RunOutcome:
        report = self.judge(as_of)
        outcome = RunOutcome(report=report)
        with self.store:
            state = self.store.load()
            day = state.day(self.game_date)
            acks = acks_by_key(self.team, self.game_date)
            for result in report.checks:
                acked = judge_ack(acks, result, self.game_date, as_of, self.settings)
                holds = acked is not None and acked.verdict.kind == "holds"
                memory, kind = decide(day["checks"].get(result.id), result, as_of, self.settings.watch, holds)
                if kind is None and acked is not None and acked.verdict.kind == "worse":
                    kind = "worse"  # the same status, a worse number: breaks through the ack
                    memory["previous"], memory["announced_at"] = memory.get("announced"), as_of.isoformat()
                day["checks"][result.id] = memory
                if acked is not None:
                    settle_ack(self.team, self.settings, acked)
                if kind is not None:
                    entry = change_entry(result, kind, memory, self.settings, self.game_date)
                    outcome.changes.append({**entry, **ack_fields(acked, self.settings.tz)})
            if outcome.changes:
                self._enqueue(
                    state,
                    {
                        "id": f"{self.game_date}/{as_of.isoformat()}/changes",
                        "type": "changes",
                        "report": report.to_json_dict(),
                        "changes": outcome.changes,
                    },
                )
            day["until"] = self.until.isoformat() if self.until is not None else None
            if self.until is not None and as_of >= self.until and not day.get("summary_sent_at"):
                self._enqueue(state, self._summary_event(report, day))
                day["summary_sent_at"] = as_of.isoformat()  # queued: it is decided, never made twice
                outcome.summary_queued = True
            # Forget only dates that are done, never this one: the wall clock has no say.
            state.prune(self.game_date, as_of)
            self.store.save(state)  # recorded before sending: a restart will not decide it again
            self._flush(state, as_of, outcome)
            mine = {c.name for c in self.channels}
            waiting = [m for m in state.outbox if m.get("channel") in mine]
            outcome.queued = len(waiting)
            outcome.summaries_waiting = sum(1 for m in waiting if m["event"].get("type") == "summary")
        problem = record_run(
            self.team,
            self.settings,
            self.wall_clock(),
            as_of,
            report.status.value,
            self.every or self.settings.watch.every,
            self.game_date,
            self.heartbeat_url,
        )
        if problem:
            log.warning("%s", problem)
            outcome.heartbeat_problem = problem
        return outcome

    def _enqueue(self, state: WatchState, event: dict[str, Any]) -> None:
        for channel in self.channels:
            state.outbox.append(
                {
                    "id": f"{event['id']}/{channel.name}",
                    "channel": channel.name,
                    "game_date": self.game_date.isoformat(),
                    "runs": 0,
                    "event": event,
                }
            )

    def _summary_event(self, report: Report, day: dict[str, Any]) -> dict[str, Any]:
        from console.services.report import note_line, report_markdown

        report_file = None
        notes = date_notes(self.team, self.game_date)
        directory = self.report_dir or self.settings.watch.report_dir
        if directory is not None:
            path = Path(directory) / f"morning-{self.game_date.isoformat()}.md"
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(report_markdown(report, self.settings, notes), encoding="utf-8")
                report_file = str(path)
            except OSError as exc:
                log.warning("cannot write the morning report to %s: %s", path, exc.strerror or exc)
        counts: dict[str, int] = {}
        for check in report.checks:
            counts[check.status.value] = counts.get(check.status.value, 0) + 1
        digest = {
            "status": report.status.value,
            "counts": counts,
            "messages": day.get("messages", 0),
            "report_file": report_file,
            "notes": [note_line(n, self.settings) for n in notes],
        }
        return {
            "id": f"{self.game_date}/{report.as_of.isoformat()}/summary",
            "type": "summary",
            "report": report.to_json_dict(),
            "digest": digest,
        }

    def _flush(self, state: WatchState, now: datetime, outcome: RunOutcome) -> None:
        """Deliver the outbox, oldest first; each success is saved at once (recorded after)."""
        by_name = {c.name: c for c in self.channels}
        delivery = self.delivery or Delivery(self.settings)  # __post_init__ gave it one
        down: set[str] = set()  # failed once this run (retries spent): its other messages wait
        for message in list(state.outbox):
            channel = by_name.get(message["channel"])
            if channel is None or channel.name in down:
                continue  # a channel of another invocation (`--notify` differs) is left for it
            try:
                delivery.send(channel, message["event"])
            except DeliveryError as exc:
                down.add(channel.name)
                message["runs"] = message.get("runs", 0) + 1
                text = str(exc)
                if message["runs"] >= self.settings.watch.outbox_runs:
                    state.outbox.remove(message)
                    text += f"; dropped after {message['runs']} runs"
                log.warning("not delivered: %s", text)
                outcome.failed.append(text)
            else:
                state.outbox.remove(message)
                outcome.delivered += 1
                state.notified(str(message.get("game_date")), now)
                day = state.dates.get(str(message.get("game_date")))
                if message["event"]["type"] == "changes" and day is not None:
                    day["messages"] = day.get("messages", 0) + 1
                elif message["event"]["type"] == "summary":
                    outcome.summaries_sent += 1
            self.store.save(state)


def _all_errors(ctx: CheckContext, message: str, backend_name: str | None = None) -> Report:
    results = [CheckResult(id=s.id, title=s.title, status=Status.ERROR, summary=message, error=message) for s in SPECS]
    return Report(
        game_date=ctx.game_date,
        processing_date=ctx.processing_date,
        as_of=ctx.as_of,
        backend=backend_name or ctx.settings.backend,
        project=ctx.settings.project,
        status=Status.ERROR,
        checks=results,
    )


# ------------------------------------------------------------------ the schedule


def wait_until(clock: Clock, moment: datetime, sleep: Callable[[float], None] = time.sleep) -> None:
    """Sleep until the clock shows `moment`: real time on the system clock, 1/speed of it on
    the demo's replay clock, and no time at all on a fixed clock (which just moves)."""
    if isinstance(clock, FixedClock):
        clock.moment = max(clock.moment, moment)
        return
    speed = clock.speed if isinstance(clock, ReplayClock) else 1.0
    while True:
        left = (moment - clock.now()).total_seconds()
        if left <= 0:
            return
        sleep(min(left / speed, 60.0))
        if isinstance(clock, ReplayClock) and clock.finished:
            return


def run_schedule(
    watcher: Watcher,
    clock: Clock,
    every: timedelta,
    until: datetime,
    on_run: Callable[[RunOutcome], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RunOutcome]:
    """Run every `every` until `until` (the last run is at `until` and sends the summary)."""
    outcomes = []
    while True:
        now = clock.now()
        try:
            outcome = watcher.run(now)
        except Exception as exc:  # noqa: BLE001 - one broken run (state dir gone...) must not end the morning
            log.error("watch run at %s failed: %s: %s", now.isoformat(), type(exc).__name__, exc)
        else:
            outcomes.append(outcome)
            if on_run is not None:
                on_run(outcome)
        if now >= until:
            return outcomes
        wait_until(clock, min(now + every, until), sleep)
