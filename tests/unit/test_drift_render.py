"""The drift panel gives the service name the room the panel has (issue 14: it showed
`nba-phase3-analytics-proce` even at 250 columns), cropping with … only when it must."""

from __future__ import annotations

from rich.console import Console

from console.core.models import CheckResult, Status
from panels.dispatch import render_result

NAME = "nba-phase3-analytics-processors"
RESULT = CheckResult(
    id="deployment_drift",
    title="Deployment drift",
    status=Status.FAIL,
    summary="",
    value={
        "head": "06934c94",
        "services": [
            {
                "service": "nba-scrapers",
                "commit": "2de48c04",
                "commits_behind": 49,
                "days_behind": 13.4,
                "status": "fail",
            },
            {"service": NAME, "commit": "06934c94", "commits_behind": 0, "days_behind": 0, "status": "ok"},
        ],
    },
)


def lines(width: int) -> list[str]:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(render_result(RESULT, None)[1])
    return console.export_text().splitlines()


def test_the_whole_name_when_there_is_room():
    for width in (62, 120, 250):  # 62: a panel of the 3x2 grid at 200 columns
        assert any(NAME in line and "06934c94 0 commits / 0 d" in line for line in lines(width)), width


def test_a_narrow_panel_crops_the_name_never_the_lag():
    narrow = lines(40)
    assert not any(NAME in line for line in narrow if "commits" in line)
    assert any("…" in line and "06934c94 0 commits / 0 d" in line for line in narrow)
    assert all(len(line) <= 40 for line in narrow)
    assert any("2de48c04 49 commits / 13.4 d" in line for line in narrow)
