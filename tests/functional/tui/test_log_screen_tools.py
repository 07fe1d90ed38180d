"""The log screen's tools, with Pilot, on the live screen and on an opened export: `e` / `E` to
the next / previous entry at ERROR or above, `c` copies the entry as JSON, `;` runs SQL over the
loaded entries (and refuses file access and anything but a query), `ctrl+s` saves the filter
under a name and `F` recalls it, `i` and the volume strip jump to a bucket, `o` opens an
export."""

from __future__ import annotations

import orjson
import pytest
from textual.widgets import Input

from console.core.config import Settings
from console.local.demo import log_entries
from console.logs.export_view import ExportView
from console.logs.parse import entry_from_dict, entry_to_dict
from console.tui.log_files import LogFilesApp
from console.tui.screens.log_filters_modal import FilterNameModal, OpenFilesModal, SavedFiltersModal
from console.tui.screens.log_sql_modal import LogSqlModal
from console.tui.screens.logs_screen import LogsScreen
from console.tui.widgets.log_histogram import LogHistogram
from console.tui.widgets.rows_table import RowsTable
from tests.helpers.log_screen import Host, ListSource, wait_for


def settings(tmp_path, **extra) -> Settings:
    return Settings(logs={"poll_seconds": 0.01}, state_dir=tmp_path / "state", **extra)


def demo_export(tmp_path):
    """The demo's log lines as a gcloud export: a JSON array, newest first, indented."""
    raws = sorted(log_entries(), key=lambda r: r["timestamp"], reverse=True)
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(raws, option=orjson.OPT_INDENT_2))
    return path


def live(tmp_path):
    """A live log screen fed the demo's lines."""
    source = ListSource()
    screen = LogsScreen(settings(tmp_path), source)
    source.queue = [entry_from_dict(r) for r in log_entries()]
    return screen, Host(screen)


async def test_e_and_shift_e_go_to_the_errors_and_say_when_there_is_none(tmp_path):
    screen, app = live(tmp_path)
    said: list[str] = []
    screen.notify = lambda message, **_: said.append(message)  # what the screen tells the user
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        await pilot.press("home", "e")
        first = screen.view.cursor
        assert screen.buffer.shown(first).severity in ("ERROR", "CRITICAL", "ALERT", "EMERGENCY")
        assert all(screen.buffer.shown(i).severity not in ("ERROR",) for i in range(first))
        await pilot.press("e")  # the demo has one ERROR line: nothing after it
        assert screen.view.cursor == first
        assert said == ["no entry at ERROR or above after this line"]
        await pilot.press("end", "E")
        assert screen.view.cursor == first
        assert not screen.view.follow  # moved off the end: no longer following


async def test_c_copies_the_entry_as_json(tmp_path):
    screen, app = live(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        await pilot.press("home", "c")
        copied = orjson.loads(app.clipboard)
        assert copied == entry_to_dict(screen.buffer.shown(0))
        assert copied["resource"]["labels"]["service_name"]


async def run_sql(pilot, app, sql: str) -> LogSqlModal:
    await pilot.press("semicolon")
    await wait_for(pilot, lambda: isinstance(app.screen, LogSqlModal))
    modal = app.screen
    box = modal.query_one("#log-sql-input", Input)
    box.value = sql
    await pilot.press("enter")
    await wait_for(pilot, lambda: modal.result is not None or modal.error is not None, tries=500)
    return modal


async def test_sql_over_the_held_entries_sorts_and_refuses_file_access(tmp_path):
    screen, app = live(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        modal = await run_sql(
            pilot, app, "SELECT service, count(*) AS n FROM entries GROUP BY service ORDER BY n DESC, service"
        )
        assert modal.error is None
        table = modal.query_one(RowsTable)
        by_service: dict[str, int] = {}
        for e in screen.buffer.held():
            by_service[e.service] = by_service.get(e.service, 0) + 1
        assert [(r["service"], r["n"]) for r in table.rows_data] == sorted(
            by_service.items(), key=lambda kv: (-kv[1], kv[0])
        )
        table.focus()
        await pilot.press("o")  # sort by the cursor's column (service), ascending
        assert [r["service"] for r in table.rows_data] == sorted(by_service)
        for refused, why in [
            ("SELECT * FROM read_text('/etc/passwd')", "no file, network or extension access"),
            ("COPY entries TO '/tmp/out.csv'", "only a query"),
            ("SET enable_external_access = true", "only a query"),
            ("SELECT 1; SELECT 2", "one query at a time"),
        ]:
            modal.query_one("#log-sql-input", Input).focus()
            modal.result = modal.error = None
            modal.query_one("#log-sql-input", Input).value = refused
            await pilot.press("enter")
            await wait_for(pilot, lambda: modal.error is not None, tries=500)
            assert why in modal.error, refused
        await pilot.press("escape")
        assert app.screen is screen


async def test_sql_examples_run_and_the_row_limit_holds(tmp_path):
    source = ListSource()
    screen = LogsScreen(Settings(logs={"poll_seconds": 0.01, "sql_row_limit": 3}, state_dir=tmp_path), source)
    source.queue = [entry_from_dict(r) for r in log_entries()]
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        await pilot.press("semicolon")
        await wait_for(pilot, lambda: isinstance(app.screen, LogSqlModal))
        modal = app.screen
        await pilot.press("ctrl+n", "ctrl+n")  # the second example: Level lines in order
        assert "Level" in modal.query_one("#log-sql-input", Input).value
        await pilot.press("enter")
        await wait_for(pilot, lambda: modal.result is not None, tries=500)
        assert modal.result.truncated and len(modal.result.rows) == 3
        assert "only the first 3" in str(modal.query_one("#log-sql-status").render())


async def test_a_filter_saved_with_ctrl_s_is_recalled_from_the_list(tmp_path):
    screen, app = live(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        await pilot.press("slash", *"sev:error", "enter", "ctrl+s")
        assert isinstance(app.screen, FilterNameModal)
        await pilot.press(*"errors", "enter")
        assert orjson.loads((tmp_path / "state" / "log-filters.json").read_bytes()) == {"errors": "sev:error"}
        await pilot.press("slash", "ctrl+u", "enter")
        assert screen.buffer.shown_count == len(screen.buffer)
        await pilot.press("F")
        assert isinstance(app.screen, SavedFiltersModal)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.filter_text() == "sev:error"
        assert 0 < screen.buffer.shown_count < len(screen.buffer)
        await pilot.press("F", "d", "escape")  # deleted
        assert orjson.loads((tmp_path / "state" / "log-filters.json").read_bytes()) == {}


async def test_a_read_only_console_keeps_saved_filters_in_memory(tmp_path):
    source = ListSource()
    screen = LogsScreen(settings(tmp_path, read_only=True), source)
    async with Host(screen).run_test(size=(120, 30)) as pilot:
        await pilot.press("slash", *"level", "enter", "ctrl+s", *"mine", "enter")
        assert not (tmp_path / "state" / "log-filters.json").exists()
        await pilot.press("F")
        assert "mine" in pilot.app.screen.filters


async def test_the_histogram_jumps_to_a_bucket_and_follows_the_filter(tmp_path):
    screen, app = live(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(screen.buffer) == len(log_entries()))
        screen.tools.sync_histogram()
        strip = screen.query_one(LogHistogram)
        total = sum(sum(c) for c in strip.histogram.counts)
        assert total == screen.buffer.shown_count
        await pilot.press("home", "i")
        assert strip.has_focus
        await pilot.press("left", "left", "right")  # from the cursor's bucket (the first)
        chosen = strip.selected
        assert chosen == 1
        start = strip.histogram.bucket_start(chosen)
        await pilot.press("enter")
        assert screen.view.has_focus
        jumped = screen.buffer.shown(screen.view.cursor).timestamp.timestamp()
        assert start <= jumped < start + strip.histogram.width
        await pilot.press("slash", *"sev:warning", "enter")
        screen.tools.sync_histogram()
        assert sum(sum(c) for c in strip.histogram.counts) == screen.buffer.shown_count < total


async def test_logs_open_shows_a_gcloud_export_oldest_first_and_o_opens_another(tmp_path):
    path = demo_export(tmp_path)
    app = LogFilesApp(settings(tmp_path), ExportView([path]))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.export.loaded and screen.export.in_order)
        times = [screen.buffer.shown(i).timestamp for i in range(screen.buffer.shown_count)]
        assert times == sorted(times) and len(times) == len(log_entries())
        assert "loaded" in screen.status_text().plain
        await pilot.press("o")
        assert isinstance(app.screen, OpenFilesModal)
        await pilot.press(*f"{tmp_path / 'nope.json'}", "enter")
        assert isinstance(app.screen, OpenFilesModal) and "nope.json" in app.screen.error
        app.screen.query_one(Input).value = f"{path} --newest-first"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen is not screen)
        newest = app.screen
        await wait_for(pilot, lambda: newest.export.loaded and newest.export.in_order)
        assert newest.buffer.shown(0).timestamp == max(times)
        await pilot.press("escape")
        assert app.screen is screen


@pytest.mark.slow
async def test_keys_answer_while_a_big_export_loads(tmp_path):
    from tests.unit.logs.test_export_view import write_ndjson

    path = tmp_path / "big.ndjson"
    write_ndjson(path, range(200_000))
    app = LogFilesApp(settings(tmp_path), ExportView([path]))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.buffer.shown_count > 0)
        await pilot.press("slash", *"sev:error", "enter")  # filtered while it loads
        await pilot.press("down", "down", "e")
        assert not screen.export.loaded or screen.export.shown_count  # answered before the end
        await wait_for(pilot, lambda: screen.export.loaded and screen.export.filtering is None, tries=3000)
        assert screen.buffer.shown_count == 20_000
        assert all(screen.buffer.shown(i).severity == "ERROR" for i in range(0, 20_000, 997))


async def test_logs_open_on_the_demos_export_holds_what_logs_search_counts(demo_settings, tmp_path, capsys):
    from console.cli import main

    out = tmp_path / "export"
    assert main(["--data-dir", str(demo_settings.data_dir), "local", "export", str(out)]) == 0
    app = LogFilesApp(settings(tmp_path), ExportView([out / "logs"]))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.export.loaded and screen.export.in_order)
        loaded = [screen.buffer.shown(i).timestamp for i in range(screen.buffer.shown_count)]
        await pilot.press("slash", *"sev:warning", "enter")
        await wait_for(pilot, lambda: screen.export.filtering is None)
        warnings = screen.buffer.shown_count
    assert loaded == sorted(loaded)  # both files of the folder, merged by time
    capsys.readouterr()
    counted = []
    for flags in ([], ["--severity", "WARNING"]):
        assert main(["logs", "search", str(out / "logs"), *flags, "--count"]) == 0
        counted.append(int(capsys.readouterr().out))
    assert counted == [len(loaded), warnings] and 0 < warnings < len(loaded)
