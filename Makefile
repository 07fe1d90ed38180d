# Two commands: `make run` and `make test`. Everything else is a helper.
#
# Both install exactly what uv.lock holds (every version and hash pinned) with uv, which make
# installs first, pinned, through pip into .tools/ (git-ignored). An unchanged uv.lock and
# pyproject.toml install nothing (the stamp files in the venv).
VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTHON  ?= python3
UV_VERSION := 0.13.9
UV_HOME := .tools/uv-$(UV_VERSION)
UV      := $(UV_HOME)/bin/uv
# The venv uv fills, with the system's python3: never a Python uv would download.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
LOCKSUM := $(shell cat uv.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
STAMP   := $(VENV)/.installed-$(LOCKSUM)
# What the tests need on top (the `dev` extra): installed by `make test` only, so a fresh
# `make run` does not wait for pytest, playwright and hypothesis.
STAMP_DEV := $(VENV)/.installed-dev-$(LOCKSUM)
# --locked: exactly uv.lock, and a pyproject.toml edited without `make lock` is refused (with
# --frozen it would install the old lock without a word).
SYNC    := $(UV) sync --locked --python $(PYTHON)

.PHONY: run test test-fast lint install install-dev seed check clean browser-deps bench lock upgrade

include emulators.mk

$(UV):
	$(PYTHON) -m pip install -q --no-deps --no-compile --disable-pip-version-check --root-user-action=ignore --target $(UV_HOME) uv==$(UV_VERSION)

# --inexact: a venv that has the test packages keeps them.
$(STAMP): uv.lock pyproject.toml | $(UV)
	$(SYNC) --inexact
	rm -f $(VENV)/.installed-* && touch $@

$(STAMP_DEV): uv.lock pyproject.toml | $(UV)
	$(SYNC) --extra dev
	rm -f $(VENV)/.installed-* && touch $(STAMP) $@

install: $(STAMP)
install-dev: $(STAMP_DEV)

# Opens the console on the embedded demo (seeded on first use), replaying the morning of
# 2026-02-05 at 60x. `make run ARGS="..."` runs `nba-console ...` instead.
run: $(STAMP)
	$(VENV)/bin/nba-console local ensure-demo
	$(VENV)/bin/nba-console $(or $(ARGS),demo)

check: $(STAMP)
	$(VENV)/bin/nba-console check $(ARGS)

# The whole suite. tests/browser need chromium: `make browser-deps` (as root) installs it;
# .ci/run calls it first. Without it those tests skip (and fail under CI=true).
test: $(STAMP_DEV) emulators-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow, gcp (emulators) and browser (chromium),
# over two processes (pytest-xdist) and with a tenth of the Hypothesis examples (the `fast`
# profile, tests/conftest.py); under 2 minutes on this 2-core machine. `make test` runs them all.
test-fast: $(STAMP_DEV)
	HYPOTHESIS_PROFILE=fast $(PY) -m pytest -m "not slow and not gcp and not browser" -n 2 $(PYTEST_ARGS)

# Formatting, lint and types (pyproject.toml's [tool.ruff] and [tool.mypy]), the layers' import
# contracts ([tool.importlinter]), and every noqa / type: ignore saying why it is there:
# `# noqa: CODE - why`, `# type: ignore[code]  # why` (NOQA_BARE finds one that does not).
# .ci/run calls it before the tests.
NOQA_BARE := \#\s*noqa(?!:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*\s+-\s+\S)|\#\s*type:\s*ignore(?!\[[a-z, -]+\]\s+\#\s*\S)
lint: $(STAMP_DEV)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@grep -rnP --include='*.py' '$(NOQA_BARE)' console panels benchmarks tests; rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "lint: the lines above say no why: '# noqa: CODE - why', '# type: ignore[code]  # why'"; exit 1; \
	elif [ $$rc -ne 1 ]; then exit $$rc; else echo "noqa / type: ignore: every one says why"; fi

# uv.lock again from pyproject.toml's bounds, changing no version it need not (after an edit of
# the dependencies). `make upgrade` moves every package to the newest version the bounds allow,
# then runs the whole suite on it.
lock: | $(UV)
	$(UV) lock
upgrade: | $(UV)
	$(UV) lock --upgrade
	$(MAKE) test

# The docs that are generated, so they cannot drift: docs/configuration.md from the settings model
# (`nba-console config --reference`), docs/images/ copied from the snapshot SVGs docs/images/sources.txt
# names. tests/unit/core/test_config_reference.py and tests/functional/test_docs_images.py fail when
# either is stale: run `make docs` after changing a setting or updating a snapshot.
.PHONY: docs docs-images
docs: $(STAMP) docs-images
	$(VENV)/bin/nba-console config --reference > docs/configuration.md.tmp
	mv docs/configuration.md.tmp docs/configuration.md

docs-images:
	@grep -v '^#' docs/images/sources.txt | while read -r name snapshot; do \
	  cp "$$snapshot" "docs/images/$$name" && echo "docs/images/$$name <- $$snapshot"; done

# Issue 13's speed table (benchmarks/run.py): ~2 minutes, writes BENCHMARKS.md. Not part of `make test`.
bench: $(STAMP)
	$(PY) benchmarks/run.py $(ARGS)

# tests/browser drive Debian's chromium through Playwright (Playwright's own browser download is
# not reachable). Installed here as root when missing; otherwise those tests skip (and fail in CI).
CHROMIUM ?= /usr/bin/chromium
browser-deps:
	@if [ -x $(CHROMIUM) ]; then echo "browser tests: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ]; then echo "browser tests: installing chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser tests: $(CHROMIUM) missing and not root (sudo apt-get install -y chromium)"; fi

clean:
	rm -rf $(VENV) .pytest_cache .tools
