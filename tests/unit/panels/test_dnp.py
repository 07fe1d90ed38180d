"""DNP pollution: the verdict on the game date's own cache rows, and its value (`DnpValue`)
as `check --json` writes it."""

from __future__ import annotations

from datetime import date

from console.core.config import Settings
from console.core.models import DnpDayRow, DnpPollutedRow, Status
from panels.dispatch import breakdown, render_result
from panels.dnp import dnp_pollution

S = Settings()
FEB2, FEB3 = date(2026, 2, 2), date(2026, 2, 3)


def day(d, cache, dnp):
    return DnpDayRow(cache_date=d, cache_rows=cache, dnp_rows=dnp)


def polluted(d, name="X Y", avg=None):
    return DnpPollutedRow(
        cache_date=d, player_lookup="x", player_name=name, points_avg_last_10=avg, games_in_window=None
    )


def test_dnp_zero_is_ok_any_is_fail():
    assert dnp_pollution([day(FEB3, 100, 0)], [], S, FEB3, FEB3).status is Status.OK
    bad = dnp_pollution([day(FEB3, 100, 1)], [polluted(FEB3)], S, FEB3, FEB3)
    assert bad.status is Status.FAIL and bad.value_json()["pollution_pct"] == 1.0


def test_dnp_no_cache_rows_is_unknown():
    assert dnp_pollution([], [], S, FEB3, FEB3).status is Status.UNKNOWN


def test_the_json_keys_in_order():
    result = dnp_pollution([day(FEB2, 50, 5), day(FEB3, 100, 1)], [polluted(FEB3, "A B", 21.94)], S, FEB2, FEB3)
    value = result.value_json()
    assert list(value) == [
        "game_date",
        "game_date_cache_rows",
        "game_date_dnp_rows",
        "game_date_pct",
        "window",
        "cache_rows",
        "dnp_rows",
        "pollution_pct",
        "max_pct",
        "by_date",
        "examples",
    ]
    assert value["window"] == ["2026-02-02", "2026-02-03"] and value["pollution_pct"] == 4.0
    assert value["by_date"][0] == {"cache_date": "2026-02-02", "cache_rows": 50, "dnp_rows": 5, "pollution_pct": 10.0}
    assert list(value["examples"][0]) == [
        "cache_date",
        "player_lookup",
        "player_name",
        "points_avg_last_10",
        "games_in_window",
    ]
    assert result.summary.startswith("1/100 cache rows of 2026-02-03 are DNP (1.0%); e.g. A B 21.9;")


def test_the_panel_and_the_drill_down_read_the_window_as_history():
    result = dnp_pollution([day(FEB2, 50, 5), day(FEB3, 100, 0)], [polluted(FEB2, "A B", 20.0)], S, FEB2, FEB3)
    head, body = render_result(result, S.tz)
    assert head == "0.0%"
    assert "history 2026-02-02..2026-02-03: 5/150 (3.3%)" in body.plain and "A B" in body.plain
    title, rows = breakdown(result)
    assert title == "per cache date (history window)" and [r["dnp_rows"] for r in rows] == [5, 0]
