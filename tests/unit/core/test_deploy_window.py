"""Which revisions took traffic in a window (console/core/deploys.py deploys_between, day_window;
issue 26: the drill-down lists the date's deploys beside its notes and playbook runs), how one
reads, and how a deploy state that cannot be read is said (services/team_records.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from console.core.deploys import DeployLine, day_window, deploys_between, fold_deploys, fold_text
from console.core.errors import ErrorKind, SourceError
from console.core.models import DeployState, Revision, ServiceState
from console.local import demo_deploys
from console.services.team_records import date_deploys

NY = ZoneInfo("America/New_York")


def service(name: str, *revs: Revision) -> ServiceState:
    """Its own fields are its newest revision's (as every writer of deploy.json keeps them)."""
    newest = sorted(revs, key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC))[-1:]
    commit = newest[0].commit if newest else None
    return ServiceState(name=name, kind="run", region="us-west2", commit=commit, revisions=list(revs))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=UTC)


def test_the_demos_feb_4_evening_deploys_fall_on_its_processing_day():
    state = DeployState.model_validate(demo_deploys.deploy_state())
    lines = deploys_between(state, *day_window(date(2026, 2, 4), NY))
    # 21:15 to 23:22 EST on Feb 4: every service but nba-scrapers, oldest first.
    assert [(d.at.astimezone(NY).strftime("%H:%M"), d.text()) for d in lines] == [
        ("21:15", "phase3-to-grading → 5b51ed16 (deployed)"),
        ("21:16", "grading → 5b51ed16 (deployed)"),
        ("21:17", "grading-coverage-monitor → 5b51ed16 (deployed)"),
        ("21:31", "prediction-coordinator → 5b51ed16 (deployed)"),
        ("21:44", "nba-phase4-precompute → 5b51ed16 (deployed)"),
        ("22:02", "prediction-worker → ef8193b1 (deployed)"),
        ("23:22", "nba-phase3-analytics-processors → 06934c94 (deployed)"),
    ]
    # The morning of Feb 5 had none; Feb 3's had the prediction services at 04:00 and 04:10.
    assert deploys_between(state, *day_window(date(2026, 2, 5), NY)) == []
    assert [d.service for d in deploys_between(state, *day_window(date(2026, 2, 3), NY))] == [
        "prediction-coordinator",
        "prediction-worker",
    ]


def test_a_traffic_move_back_is_its_own_line_and_a_timeless_revision_none():
    old = Revision(commit="2de48c04aa", created_at=at(1, 10), traffic_at=[at(1, 10), at(3, 15)])
    new = Revision(commit="5b51ed16bb", created_at=at(3, 14))
    timeless = Revision(commit="0000000000", created_at=None)
    state = DeployState(services=[service("grading", timeless, old, new)])
    lines = deploys_between(state, at(3, 0), at(4, 0))
    assert lines == [
        DeployLine(at(3, 14), "grading", "5b51ed16bb"),
        DeployLine(at(3, 15), "grading", "2de48c04aa", moved=True),  # the rollback
    ]
    assert [d.text() for d in lines] == ["grading → 5b51ed16 (deployed)", "grading → 2de48c04 (traffic moved)"]
    assert DeployLine(at(3, 1), "x", None).text() == "x → ? (deployed)"


def test_a_day_is_the_local_day_23_hours_on_the_spring_change():
    start, end = day_window(date(2026, 3, 8), NY)
    assert (start.isoformat(), end.isoformat()) == ("2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


@given(st.lists(st.integers(min_value=0, max_value=4 * 24 * 60), max_size=12), st.integers(0, 3))
def test_consecutive_days_split_the_deploys_without_loss_or_overlap(minutes, first):
    base = datetime(2026, 2, 1, tzinfo=NY)
    revs = [Revision(commit=f"{i:08x}", created_at=base + timedelta(minutes=m)) for i, m in enumerate(minutes)]
    state = DeployState(services=[service("s", *revs)])
    days = [date(2026, 2, 1) + timedelta(days=first + i) for i in range(2)]
    split = [deploys_between(state, *day_window(d, NY)) for d in days]
    whole = deploys_between(state, day_window(days[0], NY)[0], day_window(days[-1], NY)[1])
    assert split[0] + split[1] == whole
    for day, lines in zip(days, split, strict=True):
        assert all(d.at.astimezone(NY).date() == day for d in lines)
        assert [d.at for d in lines] == sorted(d.at for d in lines)


def test_a_deploy_state_that_cannot_be_read_is_one_line(tmp_path):
    from console.core.config import load_settings

    settings = load_settings(state_dir=tmp_path / "state", data_dir=tmp_path / "data")

    def broken() -> DeployState:
        raise SourceError(ErrorKind.TIMEOUT, "gcloud run revisions list: timed out after 30s\nstderr: …")

    assert date_deploys(settings, date(2026, 2, 3), broken) == (
        [],
        "deploys unreadable: gcloud run revisions list: timed out after 30s",
    )
    demo = DeployState.model_validate(demo_deploys.deploy_state())
    lines, error = date_deploys(settings, date(2026, 2, 3), lambda: demo)  # Feb 3's games: Feb 4's evening
    assert error is None and len(lines) == 7


def test_the_earlier_deploys_fold_into_one_line_the_latest_stay():
    lines = [DeployLine(at(3, 10, m), name, "5b51ed16") for m, name in enumerate(["a", "b", "a", "c", "d", "e"])]
    folded, shown = fold_deploys(lines, keep=3)
    assert (folded, shown) == (lines[:3], lines[3:])
    assert fold_text(folded, "10:02 EST") == "3 deploys to 10:02 EST: a, b"
    assert fold_text(lines[:5], "10:04 EST") == "5 deploys to 10:04 EST: a, b +2"  # names once each
    # Folding one line into one saves nothing: four fit as four.
    assert fold_deploys(lines[:4], keep=3) == ([], lines[:4])
    assert fold_deploys([], keep=3) == ([], [])
