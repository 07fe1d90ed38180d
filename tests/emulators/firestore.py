"""Firestore emulator: Google's official emulator from the gcloud SDK (Java).

Preferred command: the SDK's launcher script
``<sdk>/platform/cloud-firestore-emulator/cloud_firestore_emulator start
--host=H --port=P`` (what ``gcloud emulators firestore start`` runs after its
own Python start-up). Measured here: launcher ~1.1 s to an open port,
``gcloud emulators firestore start`` ~1.5 s and one more process layer. The
gcloud wrapper is used only if the launcher cannot be found.

Both forms are *process trees* (python -> bash -> java): stop them by killing
the process group (see :mod:`.procs`).

Fallback if the SDK component is missing (not implemented here): the npm
package ``@firestore-emulator/server`` (``npx @firestore-emulator/server``,
needs Node) speaks the same gRPC API; point FIRESTORE_EMULATOR_HOST at it.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

from tests.emulators.procs import EmulatorProcess, free_port, start_process

DEFAULT_PROJECT = "test-project"
_LAUNCHER_REL = Path("platform/cloud-firestore-emulator/cloud_firestore_emulator")
_JAR_REL = Path("platform/cloud-firestore-emulator/cloud-firestore-emulator.jar")


def _sdk_roots() -> list[Path]:
    roots: list[Path] = []
    if os.environ.get("CLOUDSDK_ROOT_DIR"):
        roots.append(Path(os.environ["CLOUDSDK_ROOT_DIR"]))
    gcloud = shutil.which("gcloud")
    if gcloud:
        # /usr/bin/gcloud -> /usr/lib/google-cloud-sdk/bin/gcloud
        roots.append(Path(os.path.realpath(gcloud)).parent.parent)
    roots += [Path("/usr/lib/google-cloud-sdk"), Path("/usr/share/google-cloud-sdk"), Path.home() / "google-cloud-sdk"]
    return roots


def find_launcher() -> Path | None:
    """Path of ``cloud_firestore_emulator`` (env FIRESTORE_EMULATOR_LAUNCHER wins)."""
    override = os.environ.get("FIRESTORE_EMULATOR_LAUNCHER")
    if override:
        return Path(override) if Path(override).exists() else None
    for root in _sdk_roots():
        if (root / _LAUNCHER_REL).exists() and (root / _JAR_REL).exists():
            return root / _LAUNCHER_REL
    return None


def prerequisites() -> str | None:
    """None if the emulator can run here, else a human-readable reason."""
    if shutil.which(os.environ.get("JAVA", "java")) is None:
        return "java not found on PATH (Firestore emulator needs Java 17+)"
    if find_launcher() is None and shutil.which("gcloud") is None:
        return "neither the cloud-firestore-emulator SDK component nor gcloud is installed"
    return None


def start_firestore(
    port: int | None = None,
    project: str = DEFAULT_PROJECT,
    host: str = "127.0.0.1",
    timeout: float = 60.0,
    log_path: Path | None = None,
) -> EmulatorProcess:
    """Start the Firestore emulator (native mode) and wait for its port."""
    reason = prerequisites()
    if reason:
        from tests.emulators.procs import EmulatorStartError

        raise EmulatorStartError(reason)
    port = port or free_port(host)
    launcher = find_launcher()
    if launcher is not None:
        argv = [str(launcher), "start", f"--host={host}", f"--port={port}"]
    else:
        argv = ["gcloud", "emulators", "firestore", "start", f"--host-port={host}:{port}", "--quiet"]
    env = dict(os.environ)
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    proc = start_process("firestore-emulator", argv, host=host, port=port, env=env, timeout=timeout, log_path=log_path)
    proc.project = project  # type: ignore[attr-defined]  # an extra fact for the Firestore fixtures
    return proc


def reset_firestore(host_port: str, project: str = DEFAULT_PROJECT, database: str = "(default)") -> None:
    """Delete every document in *project*/*database* (emulator-only endpoint)."""
    url = f"http://{host_port}/emulator/v1/projects/{project}/databases/{database}/documents"
    req = urllib.request.Request(url, method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def make_client(host_port: str, project: str = DEFAULT_PROJECT, set_env: bool = True):
    """Official ``google.cloud.firestore.Client`` using the emulator.

    The client only honours the emulator through the ``FIRESTORE_EMULATOR_HOST``
    environment variable (it then uses an insecure channel and fake
    credentials), so by default this sets it in ``os.environ``.
    """
    if set_env:
        os.environ["FIRESTORE_EMULATOR_HOST"] = host_port
    from google.cloud import firestore

    return firestore.Client(project=project)
