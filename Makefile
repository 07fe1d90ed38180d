# Two commands: `make run` and `make test`. Everything else is a helper.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install seed check clean browser-deps bench

include emulators.mk

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Opens the console on the embedded demo (seeded on first use), replaying the morning of
# 2026-02-05 at 60x. `make run ARGS="..."` runs `nba-console ...` instead.
run: $(STAMP)
	$(VENV)/bin/nba-console local ensure-demo
	$(VENV)/bin/nba-console $(or $(ARGS),demo)

check: $(STAMP)
	$(VENV)/bin/nba-console check $(ARGS)

test: $(STAMP) emulators-deps browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) .pytest_cache
