"""Issue 24 item 1 on the gcp backend: Phase 3 documents read from Firestore (the emulator,
through the official client) come through the same judge. Complete only for the platform's
record of a success; fuzzed over values Firestore can hold, timestamps included
(FUZZ_EXAMPLES=500 for a longer run)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from google.cloud import firestore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.backends.gcp_backend import GcpBackend
from console.backends.gcp_clients import ClientFactory
from console.core.config import load_settings
from console.core.context import CheckContext
from console.core.models import Status
from console.core.timestamps import parse_timestamp
from console.services.runner import SPEC_BY_ID, run_check
from panels.phase3 import phase3_from_fields
from tests.emulators.fixtures import TEST_PROJECT

NAMES = [
    "TeamOffenseGameSummaryProcessor",
    "TeamDefenseGameSummaryProcessor",
    "UpcomingTeamGameContextProcessor",
    "PlayerGameSummaryProcessor",
    "UpcomingPlayerGameContextProcessor",
]
FEB4 = date(2026, 2, 4)
AS_OF = datetime(2026, 2, 5, 16, tzinfo=UTC)
DOC_ID = "2026-02-05"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))


def test_the_issue_document_in_firestore_is_not_ok(gcp_backend):
    writer = firestore.Client(project=TEST_PROJECT)
    try:
        writer.collection("phase3_completion").document(DOC_ID).update(
            {"TeamOffenseGameSummaryProcessor": {"status": "queued"}, "PlayerGameSummaryProcessor": None}
        )
    finally:
        writer.close()
    ctx = CheckContext(settings=gcp_backend.settings, game_date=FEB4, as_of=AS_OF)
    result = run_check(SPEC_BY_ID["phase3_completion"], gcp_backend, ctx)
    assert result.status is Status.FAIL and result.value.completed == 3  # overdue: past 09:00 ET with games
    assert "TeamOffenseGameSummaryProcessor: status 'queued'" in result.summary
    assert "PlayerGameSummaryProcessor: null is not a record" in result.summary
    rows = {r["name"]: r for r in result.value_json()["processors"]}
    assert rows["PlayerGameSummaryProcessor"]["status"] == "malformed"
    # The records the demo seeded (Firestore timestamps) are complete.
    assert "problem" not in rows["UpcomingPlayerGameContextProcessor"]


# ------------------------------------------------------------------ fuzz through Firestore


@pytest.fixture(scope="module")
def fs_only(firestore_emulator, tmp_path_factory):
    """The gcp backend with Firestore alone (the judge is called without the deadline's
    BigQuery question): one emulator round trip per example."""
    root = tmp_path_factory.mktemp("fs-only")
    cfg = load_settings(
        backend="gcp",
        project=TEST_PROJECT,
        data_dir=root / "data",
        state_dir=root / "state",
        gcp={"retry_initial_s": 0.01, "query_timeout_s": 30},
    )
    backend = GcpBackend(
        cfg, clients=ClientFactory(TEST_PROJECT, env={"FIRESTORE_EMULATOR_HOST": firestore_emulator.address})
    )
    writer = firestore.Client(project=TEST_PROJECT)
    yield backend, writer
    writer.close()
    backend.close()


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
# Hypothesis takes naive bounds; timezones= makes the values it draws aware.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    timezones=st.just(UTC),
)
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    text,
    moments,
    st.binary(max_size=4),
    st.sampled_from(["success", "SUCCESS", "queued", "failed", "2026-02-05T12:14:00Z"]),
)
key = text.filter(lambda k: k and not (k.startswith("__") and k.endswith("__")))
# Firestore holds no array directly inside an array.
value = st.recursive(
    leaf, lambda inner: st.one_of(st.lists(leaf, max_size=3), st.dictionaries(key, inner, max_size=3)), max_leaves=6
)
record_like = st.fixed_dictionaries(
    {},
    optional={"status": leaf, "completed_at": st.one_of(moments, leaf), "record_count": leaf, "correlation_id": text},
)
real = st.fixed_dictionaries(
    {
        "status": st.just("success"),
        "completed_at": st.datetimes(
            min_value=datetime(2026, 2, 5, 10),  # noqa: DTZ001 - hypothesis wants naive bounds
            max_value=datetime(2026, 2, 5, 15),  # noqa: DTZ001 - hypothesis wants naive bounds
            timezones=st.just(UTC),
        ),
    },
    optional={"record_count": st.integers(0, 10**6)},
)


def is_record_of_success(v) -> bool:
    if not isinstance(v, dict) or v.get("status") != "success":
        return False
    at = v.get("completed_at")
    moment = at if isinstance(at, datetime) else parse_timestamp(at) if isinstance(at, str) else None
    count = v.get("record_count")
    return moment is not None and moment <= AS_OF and (count is None or (type(count) is int and count >= 0))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(real, real, record_like, value), min_size=len(NAMES), max_size=len(NAMES)))
def test_fuzz_firestore_values_complete_only_for_real_records(fs_only, values):
    backend, writer = fs_only
    fields = dict(zip(NAMES, values, strict=True))
    writer.collection("phase3_fuzz").document(DOC_ID).set(fields)
    read = backend.get_document("phase3_fuzz", DOC_ID)
    result = phase3_from_fields(read, CheckContext(settings=backend.settings, game_date=FEB4, as_of=AS_OF))
    real_count = sum(1 for v in values if is_record_of_success(v))
    assert result.value.completed == real_count, (fields, result.summary)
    assert (result.status is Status.OK) == (real_count == len(NAMES)), (fields, result.summary)
