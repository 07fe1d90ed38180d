"""The same checks give the same verdicts on the local backend and, through the official
clients, on the emulators loaded with the same demo scenario."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console.backends.local_backend import LocalBackend
from console.services.runner import CheckContext, run_all

# Feb 3's games judged on the morning of Feb 4 (11:00 ET), Feb 4's on the morning of Feb 5;
# with how far nba-scrapers was behind head then (its deploy history, issue 23).
CASES = [
    (date(2026, 2, 3), datetime(2026, 2, 4, 16, 0, tzinfo=UTC), 46),
    (date(2026, 2, 4), datetime(2026, 2, 5, 16, 0, tzinfo=UTC), 49),
]


def verdicts(report) -> dict:
    """Status and summary of every check; for drift (whose summary names commit shas that
    differ between the demo's deploy.json and a real git repo) the per-service figures."""
    out = {}
    for check in report.checks:
        if check.id == "deployment_drift":
            detail = sorted(
                (r["service"], r["commits_behind"], r["days_behind"], r["status"])
                for r in check.value_json()["services"]
            )
        else:
            detail = check.summary
        out[check.id] = (check.status.value, detail)
    return out


@pytest.fixture(params=["local", "gcp"])
def backend(request):
    if request.param == "local":
        return LocalBackend(request.getfixturevalue("demo_settings"))
    return request.getfixturevalue("gcp_backend")


@pytest.mark.parametrize(("game_date", "as_of", "scrapers_behind"), CASES, ids=["feb3", "feb4"])
def test_same_verdicts_on_both_backends(backend, game_date, as_of, scrapers_behind, demo_settings):
    reference = LocalBackend(demo_settings)
    want = verdicts(run_all(reference, CheckContext(settings=demo_settings, game_date=game_date, as_of=as_of)))
    got = verdicts(run_all(backend, CheckContext(settings=backend.settings, game_date=game_date, as_of=as_of)))
    assert got == want
    # The reference itself is the handoff's morning, not an empty agreement.
    assert want["deployment_drift"][0] == "fail" and any(
        s == "nba-scrapers" and n == scrapers_behind for s, n, _d, _st in want["deployment_drift"][1]
    )
    assert all(status != "error" for status, _detail in got.values())


def test_gcp_queries_went_through_the_emulator(gcp_backend, logs_demo, fake_gcloud):
    """The parity above is not the local backend in disguise: BigQuery ran the dry run
    (the emulator reports 0 bytes), the fake logging server saw the rendered filter and
    the fake gcloud was asked about every configured service."""
    ctx = CheckContext(settings=gcp_backend.settings, game_date=date(2026, 2, 4), as_of=CASES[1][1])
    run_all(gcp_backend, ctx)
    assert gcp_backend.last_bytes("grading_coverage") == 0
    assert gcp_backend.bytes_label("grading_coverage") == "0 B"
    assert logs_demo.received_filters == [
        'resource.labels.service_name="nba-phase3-analytics-processors" '
        'AND timestamp>="2026-02-05T05:00:00Z" AND timestamp<="2026-02-05T16:00:00Z"'
    ]
    calls = (fake_gcloud.parent / "gcloud.calls").read_text().splitlines()
    settings = gcp_backend.settings
    # A describe and a revision list per service (2nd gen functions list their Cloud Run service's).
    assert len(calls) == 2 * (len(settings.services.cloud_run) + len(settings.services.functions))
    assert all('"--format=json"' in c and '"--region=us-west2"' in c for c in calls)
