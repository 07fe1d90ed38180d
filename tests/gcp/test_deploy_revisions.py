"""Deploy history on gcp (issue 23): each service's revisions from `gcloud run revisions list`
(a 2nd gen function's from its Cloud Run service), read through a real `gcloud` executable on
PATH (tests/gcp/fake_gcloud.py) and a real git repository, bounded by the check's deadline."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.backends import gcp_deploy
from console.backends.gcp_backend import GcpBackend
from console.backends.local_backend import LocalBackend
from console.core.config import load_settings
from console.services.runner import CHECK_GRACE_S, SPEC_BY_ID, CheckContext, run_check
from panels.drift import deployment_drift
from tests.emulators.fixtures import TEST_PROJECT

# The demo's story: before the Jan 22 release, the release, a week on, Feb 1-3's catch-ups,
# the morning of Feb 4 (before the evening's deploys), the handoff's morning of Feb 5.
MOMENTS = [
    datetime(2026, 1, 21, 12, tzinfo=UTC),
    datetime(2026, 1, 22, 19, 33, tzinfo=UTC),
    datetime(2026, 1, 29, 16, tzinfo=UTC),
    datetime(2026, 2, 2, 16, tzinfo=UTC),
    datetime(2026, 2, 4, 15, tzinfo=UTC),
    datetime(2026, 2, 5, 16, tzinfo=UTC),
]


def settings_for(tmp_path, checkout, timeout_s: float = 30.0):
    return load_settings(
        backend="gcp",
        project=TEST_PROJECT,
        data_dir=tmp_path / "data",
        state_dir=tmp_path / "state",
        gcp={"platform_checkout": checkout, "query_timeout_s": timeout_s},
    )


def rows(result) -> dict:
    """Per service what drift says (shas aside: the repo's are git's, the demo's its own)."""
    return {
        r["service"]: (
            r["status"],
            r["commits_behind"],
            r["days_behind"],
            r["deployed_at"],
            r["flags"],
            r.get("no_record_before"),
        )
        for r in result.value_json()["services"]
    }


def test_revisions_give_the_same_drift_as_the_local_demo_at_every_moment(deploy_demo, tmp_path, demo_settings):
    settings = settings_for(tmp_path, deploy_demo)
    state = gcp_deploy.deploy_state(settings)
    local = LocalBackend(demo_settings).deploy_state()
    by_name = {s.name: s for s in state.services}
    release = next(c.sha for c in state.commits if c.subject == "feat: scrapers proxy rotation")
    assert [r.commit for r in by_name["nba-scrapers"].revisions] == [release]  # deployed once, on Jan 22
    assert len(by_name["grading"].revisions) == 3  # a 2nd gen function: its Cloud Run service's revisions
    for moment in MOMENTS:
        got, want = deployment_drift(state, settings, moment), deployment_drift(local, demo_settings, moment)
        assert (got.status, rows(got)) == (want.status, rows(want)), moment
    calls = [json.loads(line) for line in (tmp_path / "gcloud.calls").read_text().splitlines()]
    listed = sorted(c[3].split("=", 1)[1] for c in calls if c[:3] == ["run", "revisions", "list"])
    assert listed == sorted([*settings.services.cloud_run, *settings.services.functions])
    assert all(
        "--region=us-west2" in c and f"--project={TEST_PROJECT}" in c and "--format=json" in c
        for c in calls
        if c[:3] == ["run", "revisions", "list"]
    )


def test_a_rollback_by_traffic_serves_the_old_revision_from_its_routing_change(fake_gcloud, platform_repo, tmp_path):
    """The revision serving now took the traffic again when its routing state changed."""
    from tests.gcp.conftest import gcloud_documents, revision_document

    path, sha_map = platform_repo
    docs = gcloud_documents(sha_map)
    service = {"name": "nba-scrapers", "kind": "run"}
    old = {"name": "nba-scrapers-00001", "commit": "2de48c04", "created_at": "2026-01-22T19:30:00Z", "env": {}}
    new = {"name": "nba-scrapers-00002", "commit": "06934c94", "created_at": "2026-02-05T05:00:00Z", "env": {}}
    back = revision_document(service, old, sha_map, serving=True)
    back["metadata"]["annotations"]["serving.knative.dev/routingStateModified"] = "2026-02-05T06:00:00Z"
    docs["revisions:nba-scrapers"] = [revision_document(service, new, sha_map, serving=False), back]
    described = docs["run:nba-scrapers"]  # the template is the newest revision; traffic pinned to the old one
    described["spec"]["template"]["metadata"]["labels"]["commit-sha"] = sha_map["06934c94"]
    described["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "COMMIT_SHA", "value": sha_map["06934c94"]}
    ]
    described["status"]["traffic"] = [{"revisionName": "nba-scrapers-00001", "percent": 100}]
    fake_gcloud.write_bytes(orjson.dumps(docs))
    state = gcp_deploy.deploy_state(settings_for(tmp_path, path))
    scrapers = state.service("nba-scrapers")
    from console.core.deploys import service_at

    def at(h, m=0):
        return service_at(scrapers, datetime(2026, 2, 5, h, m, tzinfo=UTC))

    assert at(4).revision.name == "nba-scrapers-00001"
    assert at(5, 30).revision.name == "nba-scrapers-00002" and at(5, 30).latest
    assert at(6, 30).revision.name == "nba-scrapers-00001" and not at(6, 30).latest


def test_a_first_gen_function_is_known_from_its_update_time(fake_gcloud, platform_repo, tmp_path):
    from tests.gcp.conftest import gcloud_documents

    path, sha_map = platform_repo
    docs = gcloud_documents(sha_map)
    doc = docs["function:grading"]
    doc.pop("environment"), doc["serviceConfig"].pop("service")
    fake_gcloud.write_bytes(orjson.dumps(docs))
    state = gcp_deploy.deploy_state(settings_for(tmp_path, path))
    grading = state.service("grading")
    assert grading.revisions == []  # nothing listed: its one deploy is updateTime
    result = deployment_drift(state, settings_for(tmp_path, path), datetime(2026, 2, 4, 15, tzinfo=UTC))
    row = next(r for r in result.value_json()["services"] if r["service"] == "grading")
    assert row["status"] == "unknown" and row["no_record_before"] == "2026-02-05T02:16:00+00:00"


@pytest.mark.parametrize("stuck", ["run revisions list", "run services describe", "functions describe"])
def test_a_gcloud_that_never_answers_ends_within_the_deadline(deploy_demo, fake_gcloud, tmp_path, stuck):
    docs = orjson.loads(fake_gcloud.read_bytes())
    fake_gcloud.write_bytes(orjson.dumps({**docs, "_hang": [stuck]}))
    settings = settings_for(tmp_path, deploy_demo, timeout_s=2.0)
    ctx = CheckContext(settings=settings, game_date=date(2026, 2, 4), as_of=datetime(2026, 2, 5, 16, tzinfo=UTC))
    started = time.monotonic()
    result = run_check(SPEC_BY_ID["deployment_drift"], GcpBackend(settings), ctx)
    took = time.monotonic() - started
    assert result.status.value == "error" and result.value.error_kind == "timeout", result.summary
    assert "Traceback" not in result.summary
    # Ended by the 2 s deadline (measured 2.01-2.10 s), not by gcloud's hang: 5x the deadline and grace.
    assert took < 5 * (2.0 + CHECK_GRACE_S), took


def test_revision_documents_of_odd_shapes_are_skipped_or_refused(fake_gcloud, platform_repo, tmp_path):
    from tests.gcp.conftest import gcloud_documents

    path, sha_map = platform_repo
    docs = gcloud_documents(sha_map)
    docs["revisions:nba-scrapers"] = [
        {"metadata": {"name": "no-time"}},
        "not an object",
        {"metadata": {"creationTimestamp": "2026-01-22T19:30:00Z"}, "spec": {"containers": ["x"]}},
    ]
    fake_gcloud.write_bytes(orjson.dumps(docs))
    state = gcp_deploy.deploy_state(settings_for(tmp_path, path))
    [only] = state.service("nba-scrapers").revisions  # the one with a time
    assert only.created_at == datetime(2026, 1, 22, 19, 30, tzinfo=UTC)
    assert only.commit == state.service("nba-scrapers").commit  # no label on it: the newest is the service's template
    docs["revisions:nba-scrapers"] = {"not": "a list"}
    fake_gcloud.write_bytes(orjson.dumps(docs))
    from console.core.errors import SourceError

    with pytest.raises(SourceError, match="expected a JSON list"):
        gcp_deploy.deploy_state(settings_for(tmp_path, path))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    doc=st.fixed_dictionaries(
        {},
        optional={
            "metadata": _json
            | st.fixed_dictionaries(
                {"creationTimestamp": st.just("2026-01-22T19:30:00Z")},
                optional={"name": _json, "labels": _json, "annotations": _json},
            ),
            "spec": _json
            | st.fixed_dictionaries(
                {"containers": _json | st.lists(st.fixed_dictionaries({"env": _json}), max_size=2)}
            ),
        },
    )
)
def test_any_revision_document_parses_or_is_skipped(doc):
    """Whatever shape gcloud (or a proxy in front of it) prints, a revision is read or skipped:
    never an exception in the drift check."""
    revision = gcp_deploy.parse_revision(doc)
    assert revision is None or revision.created_at == datetime(2026, 1, 22, 19, 30, tzinfo=UTC)
