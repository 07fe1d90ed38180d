# Emulator prerequisites for the test suite. Included by the main Makefile:
#     include emulators.mk
# Targets:
#     make emulators-deps     # idempotent; ~25 s first time, <1 s afterwards
#     make emulators-smoke    # start/exercise/stop all three emulators
#
# BigQuery: bqemulator lives in its OWN venv (.emulators/bq-venv) so its pins
# (sqlglot<30.12, grpcio-tools<1.81, ...) never constrain the app venv.
# Firestore: needs java (17+) and the gcloud SDK component
# cloud-firestore-emulator (Debian package google-cloud-cli-firestore-emulator).
# Logging: in-process fake, needs only grpcio + google-cloud-logging in the app venv.

EMU_PYTHON ?= python3
EMU_APP_PY ?= .venv/bin/python

.PHONY: emulators-deps emulators-check emulators-smoke

emulators-deps: emulators-check
	@PYTHONPATH=. NBA_BQ_VENV_PYTHON=$(EMU_PYTHON) $(EMU_PYTHON) -c "from tests.emulators.bigquery import ensure_bq_venv, bq_venv_ready; \
	ready = bq_venv_ready(); ensure_bq_venv(); import tests.emulators.bigquery as b; print('bq venv:', 'already installed' if ready else 'installed', b.BQ_VENV)"

emulators-check:
	@command -v java >/dev/null 2>&1 || { echo "emulators: java not found (apt-get install -y openjdk-17-jre-headless)"; exit 1; }
	@java -version 2>&1 | head -n 1
	@PYTHONPATH=. $(EMU_PYTHON) -c "from tests.emulators.firestore import find_launcher, prerequisites; \
	r = prerequisites(); print('firestore emulator:', find_launcher() or 'via gcloud') if r is None else (print('emulators:', r), exit(1))"

emulators-smoke: emulators-deps
	$(EMU_APP_PY) -m pytest tests/emulators -q -rs
