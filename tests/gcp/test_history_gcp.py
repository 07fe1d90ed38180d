"""History on the gcp backend, through the official clients against the emulators: the same
per-date verdicts as `check` on gcp, and the dry-run bytes of each range query are known."""

from __future__ import annotations

from datetime import date, datetime, timezone

from console.history import HISTORY_QUERIES, HistoryRange, bytes_labels, contexts, run_history
from console.morning import CheckContext, run_all

AS_OF = datetime(2026, 2, 5, 16, 0, tzinfo=timezone.utc)


def test_history_on_gcp_agrees_with_check_on_gcp(gcp_backend, fake_gcloud):
    settings = gcp_backend.settings
    reports = run_history(gcp_backend, contexts(settings, HistoryRange(date(2026, 2, 4), 3), AS_OF))
    for report in reports:
        assert all(c.status.value != "error" for c in report.checks), report.to_json_dict()
        want = run_all(gcp_backend, CheckContext(settings=settings, game_date=report.game_date, as_of=AS_OF))
        assert report.to_json_dict() == want.to_json_dict(), report.game_date
    feb3 = reports[1]
    assert feb3.check("dnp_pollution").value["pollution_pct"] == 22.0
    assert feb3.check("usage_rate_coverage").value["coverage_pct"] == 87.1
    # Every range query went through a dry run (the emulator reports 0 bytes: it has no cost model).
    labels = bytes_labels(gcp_backend)
    assert set(labels) == {q for qs in HISTORY_QUERIES.values() for q in qs}
    assert all(label == "0 B" for label in labels.values())
