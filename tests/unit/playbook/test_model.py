"""Shipped playbooks render exactly the handoff's commands; bad parameters are refused."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core import safety
from console.core.config import Settings
from console.playbook import model

REGION = "--region=us-west2"
HANDOFF = {
    "rollback-grading-orchestration": [
        ["gcloud", "functions", "delete", "phase3-to-grading", REGION, "--quiet"],
        ["gcloud", "functions", "delete", "grading-coverage-monitor", REGION, "--quiet"],
        ["git", "revert", "--no-edit", "19722f5c"],
        ["gcloud", "functions", "deploy", "grading", REGION, "--source=orchestration/cloud_functions/grading"],
    ],
    "disable-sequential-execution": [
        [
            "gcloud",
            "run",
            "services",
            "update",
            "nba-phase3-analytics-processors",
            REGION,
            "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=false",
        ],
    ],
    "enable-sequential-execution": [
        [
            "gcloud",
            "run",
            "services",
            "update",
            "nba-phase3-analytics-processors",
            REGION,
            "--update-env-vars=SEQUENTIAL_EXECUTION_ENABLED=true",
        ],
    ],
    "rollback-prediction-services": [
        ["./bin/deploy-service.sh", "prediction-worker", "--commit=29130502"],
        ["./bin/deploy-service.sh", "prediction-coordinator", "--commit=29130502"],
    ],
}


def test_every_handoff_procedure_is_shipped():
    assert set(model.load_all()) == set(HANDOFF) | {"redeploy-service"}


@pytest.mark.parametrize("name", sorted(HANDOFF))
def test_shipped_playbook_renders_the_handoff_commands(name):
    plan = model.get(name).render(Settings())
    assert [list(s.argv) for s in plan if s.mutating] == HANDOFF[name]


@pytest.mark.parametrize(
    ("name", "value"), [("disable-sequential-execution", "false"), ("enable-sequential-execution", "true")]
)
def test_sequential_playbooks_verify_the_variable_reads_back(name, value):
    plan = model.get(name).render(Settings())
    verify = [s for s in plan if not s.mutating]
    assert [list(s.argv) for s in verify] == [
        ["gcloud", "run", "services", "describe", "nba-phase3-analytics-processors", REGION, "--format=json"]
    ]
    assert verify[0].params["env"] == {"SEQUENTIAL_EXECUTION_ENABLED": value}


def test_redeploy_service_ends_with_traffic_to_latest():
    plan = model.get("redeploy-service").render(Settings(), {"service": "nba-scrapers", "commit": "06934c94"})
    assert [list(s.argv) for s in plan] == [
        ["./bin/deploy-service.sh", "nba-scrapers", "--commit=06934c94"],
        ["gcloud", "run", "services", "update-traffic", "nba-scrapers", REGION, "--to-latest"],
    ]


def test_region_comes_from_the_config():
    plan = model.get("disable-sequential-execution").render(Settings(region="europe-west1"))
    assert "--region=europe-west1" in plan[0].argv


def test_dangerous_steps_name_what_to_type():
    plan = model.get("rollback-grading-orchestration").render(Settings())
    assert [(s.dangerous, s.target) for s in plan] == [
        (True, "phase3-to-grading"),
        (True, "grading-coverage-monitor"),
        (True, "19722f5c"),
        (False, "grading"),
    ]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"service": "nba-scrapers", "commit": "29130502; rm -rf /"}, "commit"),
        ({"service": "nba-scrapers", "commit": "$(id)"}, "commit"),
        ({"service": "nba-scrapers; id", "commit": "29130502"}, "service"),
        ({"service": "evil-service", "commit": "29130502"}, "not a service the config knows"),
        ({"service": "grading", "commit": "29130502"}, "not a Cloud Run service"),
        ({"service": "nba-scrapers"}, "needs --param commit"),
        ({"service": "nba-scrapers", "commit": "29130502", "extra": "x"}, "no parameter extra"),
    ],
)
def test_injection_and_unknown_parameters_are_refused(params, needle):
    with pytest.raises(model.PlaybookError, match=needle):
        model.get("redeploy-service").render(Settings(), params)


def test_a_playbook_file_with_a_bad_step_is_refused(tmp_path):
    (tmp_path / "bad.toml").write_text('name = "bad"\ntitle = "t"\n[[steps]]\naction = "run_shell"\ntitle = "x"\n')
    with pytest.raises(model.PlaybookError, match="unknown action"):
        model.load_all(tmp_path)


def test_a_playbook_with_a_shell_string_in_a_fixed_param_fails_to_render(tmp_path):
    (tmp_path / "sneaky.toml").write_text(
        'name = "sneaky"\ntitle = "t"\n[[steps]]\naction = "deploy_service"\ntitle = "x"\n'
        'params = { service = "prediction-worker", commit = "29130502 && curl x" }\n'
    )
    with pytest.raises(model.PlaybookError, match="commit"):
        model.get("sneaky", tmp_path).render(Settings())


# ------------------------------------------------------------------ validators, by property

HEX = "0123456789abcdef"


@given(st.text(alphabet=HEX, min_size=7, max_size=40))
def test_any_7_to_40_hex_digits_is_a_commit(text):
    assert safety.validate_commit(text) == text


@given(st.text(max_size=60))
def test_a_commit_is_never_anything_but_hex(text):
    ok = 7 <= len(text) <= 40 and all(c in HEX for c in text)
    if ok:
        assert safety.validate_commit(text) == text
    else:
        with pytest.raises(safety.UnsafeParameter):
            safety.validate_commit(text)


@given(st.text(alphabet=string.printable, max_size=40))
def test_a_service_is_only_one_the_config_knows(text):
    settings = Settings()
    known = settings.services.cloud_run + settings.services.functions
    if text in known:
        assert safety.validate_service(settings, text) == text
    else:
        with pytest.raises(safety.UnsafeParameter):
            safety.validate_service(settings, text)


@given(
    st.sampled_from(["us", "europe", "asia", "me"]),
    st.sampled_from(["west", "east", "central", "south"]),
    st.integers(1, 12),
)
def test_gcp_shaped_regions_are_accepted(prefix, direction, n):
    region = f"{prefix}-{direction}{n}"
    assert safety.validate_region(region) == region


@given(st.text(max_size=30).filter(lambda t: any(c in t for c in " ;$`|&()'\"\n/.,")))
def test_regions_with_shell_or_path_characters_are_refused(text):
    with pytest.raises(safety.UnsafeParameter):
        safety.validate_region(text)


@given(st.text(max_size=30).filter(lambda t: any(c in t for c in " ;$`|&()'\",\n")))
def test_env_values_with_separators_or_shell_characters_are_refused(text):
    with pytest.raises(safety.UnsafeParameter):
        safety.validate_env({"SEQUENTIAL_EXECUTION_ENABLED": text})
