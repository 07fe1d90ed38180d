"""The deploy state as of a moment (core/deploys.py, issue 23): which revision served then,
the commits up to then, and what the local executor records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.core.config import Settings
from console.core.deploys import add_revision, commits_at, move_traffic_to_latest, revisions, service_at
from console.core.models import Commit, DeployState, Revision, ServiceState
from panels.drift import deployment_drift

S = Settings()
T0 = datetime(2026, 1, 22, 19, 30, tzinfo=UTC)
H = timedelta(hours=1)


def svc(*revs: Revision, **fields) -> ServiceState:
    newest = revs[-1] if revs else None
    base = {
        "name": "svc",
        "kind": "run",
        "region": "us-west2",
        "commit": newest.commit if newest else None,
        "deployed_at": newest.created_at if newest else None,
        "env": newest.env if newest else {},
    }
    return ServiceState(**{**base, **fields}, revisions=list(revs))


def test_before_the_first_revision_nothing_is_known_and_the_first_record_is_named():
    s = svc(Revision(commit="a", created_at=T0), Revision(commit="b", created_at=T0 + 48 * H))
    before = service_at(s, T0 - H)
    assert before.revision is None and before.first_record == T0
    assert service_at(s, T0).revision.commit == "a"
    assert service_at(s, T0 + 47 * H).revision.commit == "a"
    assert service_at(s, T0 + 48 * H).revision.commit == "b" and service_at(s, T0 + 48 * H).latest


def test_a_revision_created_behind_a_pinned_split_serves_only_once_it_takes_the_traffic():
    s = svc(
        Revision(commit="a", created_at=T0),
        Revision(commit="b", created_at=T0 + H, traffic_at=[]),
        traffic_latest=False,
    )
    at = service_at(s, T0 + 2 * H)
    assert at.revision.commit == "a" and not at.latest  # b exists but does not serve
    move_traffic_to_latest(s, T0 + 3 * H)
    assert service_at(s, T0 + 2 * H).revision.commit == "a"  # the past keeps its revision
    assert service_at(s, T0 + 3 * H).revision.commit == "b" and service_at(s, T0 + 3 * H).latest


def test_a_rollback_to_an_older_revision_serves_it_again_from_then():
    s = svc(Revision(commit="a", created_at=T0, traffic_at=[T0, T0 + 5 * H]), Revision(commit="b", created_at=T0 + H))
    assert [service_at(s, T0 + h * H).revision.commit for h in (0, 1, 4, 5, 9)] == ["a", "b", "b", "a", "a"]
    assert not service_at(s, T0 + 6 * H).latest  # b is the newest, a serves


def test_traffic_at_may_be_one_time():
    assert Revision.model_validate(
        {"created_at": "2026-01-22T19:30:00Z", "traffic_at": "2026-01-23T00:00:00Z"}
    ).traffic_at == [T0 + timedelta(hours=4, minutes=30)]


def test_a_state_without_revisions_is_one_revision_since_deployed_at():
    s = ServiceState(name="svc", kind="run", region="r", commit="a", deployed_at=T0, env={"K": "v"})
    [rev] = revisions(s)
    assert (rev.commit, rev.created_at, rev.env) == ("a", T0, {"K": "v"})
    assert service_at(s, T0 - H).revision is None and service_at(s, T0).revision.commit == "a"
    timeless = ServiceState(name="svc", kind="run", region="r", commit="a")  # no time recorded: from the start
    assert service_at(timeless, T0).revision.commit == "a"


def test_own_fields_newer_than_the_revisions_are_the_newest_revision():
    """A writer that does not know revisions changed the commit: that is the state now."""
    s = svc(Revision(commit="a", created_at=T0), commit="zzz")
    assert [r.commit for r in revisions(s)] == ["a", "zzz"]
    assert service_at(s, T0 + H).revision.commit == "zzz"


def test_add_revision_keeps_the_past_and_moves_the_present():
    s = ServiceState(name="svc", kind="run", region="r", commit="a", deployed_at=T0)
    add_revision(s, "b", {"FLAG": "true"}, T0 + 10 * H)
    assert [r.name for r in s.revisions] == ["svc-00001", "svc-00002"]
    assert (s.commit, s.deployed_at, s.env) == ("b", T0 + 10 * H, {"FLAG": "true"})
    assert service_at(s, T0 + 9 * H).revision.commit == "a" and service_at(s, T0 + 9 * H).revision.env == {}
    assert service_at(s, T0 + 10 * H).revision.env == {"FLAG": "true"}
    # Round-trips through deploy.json.
    again = ServiceState.model_validate_json(s.model_dump_json())
    assert [service_at(again, T0 + h * H).revision.commit for h in (0, 10)] == ["a", "b"]


def test_commits_after_the_moment_do_not_exist_yet():
    commits = [Commit(sha=f"{i}" * 8, time=T0 - i * H) for i in range(5)]  # newest first
    assert [c.sha for c in commits_at(commits, T0 - 2 * H)] == ["22222222", "33333333", "44444444"]


def _state():
    commits = [Commit(sha=f"{i:x}" * 40, time=T0 + (10 - i) * 24 * H) for i in range(11)]  # one a day
    old = svc(Revision(commit=commits[10].sha[:8], created_at=T0 + H))
    old.name = "old"
    fresh = svc(
        Revision(commit=commits[10].sha[:8], created_at=T0 + H),
        Revision(commit=commits[1].sha[:8], created_at=T0 + 9 * 24 * H + H),
    )
    fresh.name = "fresh"
    return DeployState(services=[old, fresh], commits=commits), commits


@pytest.mark.parametrize(
    ("day", "status", "old_behind"), [(0, "unknown", None), (1, "ok", 1), (3, "warn", 3), (9, "fail", 9)]
)
def test_drift_as_of_a_moment(day, status, old_behind):
    state, _commits = _state()
    moment = T0 + day * 24 * H + (2 * H if day else H / 2)
    result = deployment_drift(state, S, moment)
    rows = {r["service"]: r for r in result.value_json()["services"]}
    if day == 0:  # no deploy before T0 + 1 h; the first commit is at T0
        assert rows["old"]["no_record_before"] == (T0 + H).isoformat() and "no deploy record before" in result.summary
        return
    assert result.status.value == status and rows["old"]["commits_behind"] == old_behind
    assert result.value.head_time <= moment.isoformat()
    assert all(r["deployed_at"] is None or r["deployed_at"] <= moment.isoformat() for r in rows.values())


def test_drift_before_any_commit_is_unknown():
    state, _commits = _state()
    result = deployment_drift(state, S, T0 - H)
    assert result.status.value == "unknown" and "no commit at or before this moment" in result.summary


def test_traffic_before_creation_is_not_believed():
    s = svc(Revision(commit="a", created_at=T0), Revision(commit="b", created_at=T0 + 5 * H, traffic_at=[T0 + H]))
    assert service_at(s, T0 + 2 * H).revision.commit == "a"  # b did not exist yet
    assert service_at(s, T0 + 5 * H).revision.commit == "b"
