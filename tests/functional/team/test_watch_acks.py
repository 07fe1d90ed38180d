"""The watch and acknowledgements over the demo's Feb 3 morning (issue 26, Done when): run every
5 minutes, with Feb 3's usage failure acknowledged for 2 h at 07:00 through the CLI, the watch
sends no usage reminder until the ack expires, and breaks through when the check turns to error.
Reminders are left at their default (every hour), so without the ack they would come."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from console.backends.local_backend import LocalBackend
from console.cli import main
from console.core.config import load_settings
from console.core.errors import ErrorKind, SourceError
from console.services.watch import Watcher

FEB3 = date(2026, 2, 3)
USAGE = "usage_rate_coverage"


def at(settings, clock: str) -> datetime:
    return datetime.combine(FEB3 + settings.processing_offset, time.fromisoformat(clock), tzinfo=settings.tz)


def config_for(tmp_path, demo_settings) -> tuple[str, object]:
    path = tmp_path / "nba-console.toml"
    path.write_text(f'data_dir = "{demo_settings.data_dir}"\nstate_dir = "{tmp_path / "state"}"\n[team]\nwho = "ana"\n')
    return str(path), load_settings(path)


def morning(settings, start: str = "06:00", end: str = "11:00") -> list[datetime]:
    out, moment, stop = [], at(settings, start), at(settings, end)
    while moment <= stop:
        out.append(moment)
        moment += timedelta(minutes=5)
    return out


def usage_kinds(watcher: Watcher, moments: list[datetime]) -> dict[str, dict]:
    """Each usage message of the morning, by local clock time."""
    told = {}
    for moment in moments:
        for change in watcher.run(moment).changes:
            if change["check"] == USAGE:
                told[moment.astimezone(watcher.settings.tz).strftime("%H:%M")] = change
    return told


def ack_at_seven(config: str, capsys) -> None:
    argv = ["--config", config, "ack", USAGE, "--date", "2026-02-03", "--at", "07:00", "--for", "2h"]
    assert main([*argv, "--reason", "PHX @ POR boxscore feed, re-scraping"]) == 0
    assert "acknowledged usage_rate_coverage (fail) of 2026-02-03 as ana" in capsys.readouterr().out


def acks_listed(config: str, capsys) -> list[dict]:
    assert main(["--config", config, "ack", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_an_ack_at_seven_silences_the_usage_reminders_until_it_expires(demo_settings, tmp_path, capsys):
    config, settings = config_for(tmp_path, demo_settings)
    watcher = Watcher(settings, [], FEB3, LocalBackend)
    before = usage_kinds(watcher, morning(settings, "06:00", "06:55"))
    assert [c["kind"] for c in before.values()] == ["new"]  # the failure, told once before 07:00
    first_told = next(iter(before))
    ack_at_seven(config, capsys)

    after = usage_kinds(watcher, morning(settings, "07:00", "11:00"))
    # No reminder while the ack holds (without it: one an hour after `first_told`), then the
    # first run at its expiry reminds at once, saying it expired, and the hourly ones resume.
    assert first_told < "07:00" and list(after) == ["09:00", "10:00", "11:00"]
    assert [c["kind"] for c in after.values()] == ["reminder"] * 3
    assert after["09:00"]["ack_ended"] == "expired"
    assert "ana's acknowledgement expired" in after["09:00"]["ack_text"]
    assert after["09:00"]["open_command"] == "nba-console --date 2026-02-03 --check usage_rate_coverage --drill"
    assert acks_listed(config, capsys) == []  # cleared at expiry

    audit = [json.loads(line) for line in (tmp_path / "state" / "team-audit.jsonl").read_text().splitlines()]
    assert [(r["event"], r["who"]) for r in audit] == [("ack", "ana"), ("ack_clear", "watch")]
    assert audit[1]["why"] == "ana's acknowledgement expired"


class UsageDownFromEight(LocalBackend):
    """The usage tables stop answering at 08:00 (a moment of the morning, not the wall clock)."""

    def run_query(self, name, params):
        if name.startswith("usage_") and self.as_of >= self.down_at:
            raise SourceError(ErrorKind.UNAVAILABLE, f"{name}: 503 backend unavailable (test)")
        return super().run_query(name, params)


@pytest.mark.slow
def test_the_check_turning_to_error_breaks_through_the_ack(demo_settings, tmp_path, capsys):
    config, settings = config_for(tmp_path, demo_settings)
    clock = {"now": at(settings, "06:00")}

    def backend(s):
        b = UsageDownFromEight(s)
        b.as_of, b.down_at = clock["now"], at(settings, "08:00")
        return b

    watcher = Watcher(settings, [], FEB3, backend)
    ack_at_seven(config, capsys)
    told = {}
    for moment in morning(settings, "07:00", "09:00"):
        clock["now"] = moment
        for change in watcher.run(moment).changes:
            if change["check"] == USAGE:
                told[moment.astimezone(settings.tz).strftime("%H:%M")] = change
    # 07:00: the first run of this state tells the failure (new), with the ack beside it; then
    # silence; 08:00: error breaks through with the reason, and the ack is gone: the error is
    # repeated every watch.error_repeat_after (30m) as any unacknowledged one.
    assert list(told) == ["07:00", "08:00", "08:30", "09:00"]
    assert [c["kind"] for c in told.values()] == ["new", "error", "reminder", "reminder"]
    assert "ack_text" not in told["08:30"]
    assert told["07:00"]["kind"] == "new" and told["07:00"]["ack_text"].startswith("acknowledged by ana until")
    assert told["08:00"]["kind"] == "error" and told["08:00"]["ack_ended"] == "worse"
    assert "fail → error since ana acknowledged it" in told["08:00"]["ack_text"]
    assert acks_listed(config, capsys) == []


def test_recovery_clears_the_ack_and_a_worse_number_breaks_through(demo_settings, tmp_path):
    from console.backends.team_local import LocalTeamStore
    from console.services.team_records import acknowledge

    _config, settings = config_for(tmp_path, demo_settings)
    store = LocalTeamStore(settings.state_dir)
    ten = at(settings, "10:00")
    feb4 = date(2026, 2, 4)
    # Feb 4's grading is ok at 10:00: an ack of it (made while it failed) is cleared as recovered.
    acknowledge(settings, store, "grading_coverage", feb4, "waiting on the grader", ten - timedelta(hours=1))
    # Feb 3's usage is at 87.1%: acknowledged at 95.0, it is 7.9 points worse (usage's own worsen_by, -5).
    acknowledge(settings, store, USAGE, FEB3, "re-scraping", ten - timedelta(minutes=5), headline=95.0)
    Watcher(settings, [], feb4, LocalBackend, team=store).run(ten + timedelta(days=1))
    outcome = Watcher(settings, [], FEB3, LocalBackend, team=store).run(ten)
    usage = next(c for c in outcome.changes if c["check"] == USAGE)
    assert usage["ack_ended"] == "worse" and "headline 95 → 87.1" in usage["ack_text"]
    assert store.acks() == []
    audit = [json.loads(line) for line in (settings.state_dir / "team-audit.jsonl").read_text().splitlines()]
    assert [(r["event"], r.get("why", "")) for r in audit][2:] == [
        ("ack_clear", "grading_coverage recovered (ok)"),
        ("ack_clear", "headline 95 → 87.1 since ana acknowledged it (-7.9)"),
    ]
