"""Who writes an ack, a note or a presence entry (issue 26): `team.who`, else the active gcloud
account (on gcp, what the playbook engine audits too), else the login name."""

from __future__ import annotations

import os

import pytest

from console.backends.team_firestore import gcloud_account
from console.core.team import local_user, who_am_i


@pytest.fixture
def gcloud(tmp_path, monkeypatch):
    def install(script: str) -> None:
        exe = tmp_path / "gcloud"
        exe.write_text("#!/bin/sh\n" + script + "\n")
        exe.chmod(0o755)
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    return install


def test_the_active_gcloud_account(gcloud):
    gcloud('[ "$1 $2" = "auth list" ] && echo ana@example.com && exit 0; exit 2')
    assert gcloud_account() == "ana@example.com"


@pytest.mark.parametrize("script", ["exit 1", "echo ''", "echo 'ERROR: not logged in' >&2; exit 1"])
def test_no_account_is_none(gcloud, script):
    gcloud(script)
    assert gcloud_account() is None


def test_no_gcloud_at_all_is_none(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    assert gcloud_account() is None


def test_the_order_configured_then_gcloud_then_the_login():
    assert who_am_i("oncall-ana", "ana@example.com") == "oncall-ana"
    assert who_am_i(None, "ana@example.com") == "ana@example.com"
    assert who_am_i(None, None) == local_user() != ""
