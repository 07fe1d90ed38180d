"""A service-account key whose private key cannot sign is named with its variable and path
(issue 24 item 7); it used to read as "no Application Default Credentials"."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console.backends.gcp_clients import credentials_problem

KEY = {
    "type": "service_account",
    "project_id": "p",
    "private_key_id": "k1",
    "client_email": "watch@p.iam.gserviceaccount.com",
    "client_id": "1",
    "token_uri": "https://oauth2.googleapis.com/token",
}


def _pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize(
    ("private_key", "reason"),
    [
        ("-----BEGIN PRIVATE KEY-----\nnotakey\n-----END PRIVATE KEY-----\n", "Unable to load PEM file"),
        ("", ""),
        (None, "private_key field was not found"),
        ("just text", ""),
    ],
)
def test_a_key_that_cannot_sign_names_the_variable_and_the_path(tmp_path, private_key, reason):
    info = dict(KEY) if private_key is None else {**KEY, "private_key": private_key}
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBA_CONSOLE_")}
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--backend", "gcp", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"nba-console: GOOGLE_APPLICATION_CREDENTIALS={path}: the private key cannot sign: ")
    assert reason in lines[0]
    assert "no Application Default Credentials" not in lines[0]


def test_a_key_that_signs_is_not_a_problem(tmp_path):
    path = tmp_path / "key.json"
    path.write_text(json.dumps({**KEY, "private_key": _pem()}))
    assert credentials_problem({"GOOGLE_APPLICATION_CREDENTIALS": str(path)}) is None
