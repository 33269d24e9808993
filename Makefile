# Forum — two commands: `make run` (set up and serve) and `make test` (set up and test).
# `make run` installs only what running needs; `make test` adds the test extra (pytest, Playwright,
# ruff, mypy) and, when Chromium is missing, Debian's chromium for the browser tests (it says so
# first; SKIP_BROWSER_INSTALL=1 skips that and the browser tests, CHROMIUM_PATH=… uses another one).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forum
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CHROMIUM_PATH ?= /usr/bin/chromium
SKIP_BROWSER_INSTALL ?=
BROWSER_PACKAGES := chromium fonts-noto-cjk
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends
# `make run` and the flask commands here serve a laptop: development settings (SQLite in
# instance/, any SECRET_KEY). A deployment runs gunicorn with FORUM_ENV unset (production).
FORUM_ENV ?= development
export FORUM_ENV

.PHONY: run test lint typecheck setup test-setup chromium translations web-font catalog migration clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What running needs: Forum and its dependencies.
$(STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# What testing and the checks need on top: the `test` extra.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

setup: $(STAMP) translations web-font

test-setup: $(TEST_STAMP) translations web-font

translations: $(STAMP)
	@if ls forum/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d forum/translations; fi

# The Korean web font (Noto Sans KR, SIL OFL 1.1) from the pinned npm package, checked against its
# pinned integrity, into forum/static/vendor/ (see forum/web_font.py). Without npm or the registry
# it says so and Forum uses the system fonts.
web-font: $(STAMP)
	$(BIN)/python -m forum.web_font

# Re-extracts the messages and merges them into every language's catalog (then translate the .po files).
catalog: $(TEST_STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o forum/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -N -i forum/translations/messages.pot -d forum/translations --ignore-obsolete

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	SESSION_COOKIE_SECURE=false $(FLASK) run --host 127.0.0.1 --port 5000

# Style: ruff's lint rules (with a complexity limit) and its formatter, as configured in pyproject.toml.
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Types: mypy on forum/ (strict on forum/scheduler/ and forum/services/), as configured in pyproject.toml.
typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# Without Chromium (SKIP_BROWSER_INSTALL=1 and none at CHROMIUM_PATH) the browser tests are left out.
# The suite runs in TEST_PROCESSES processes (pytest-xdist), each with its own SQLite file,
# PostgreSQL database, Redis database, live servers on free ports and Chromium. Two is the
# default: the whole suite took 10.8 min in two against 17.5-22 min in one on an idle 2-core
# machine (BENCHMARKS.md, "Test suite time"); TEST_PROCESSES=0 runs one.
TEST_PROCESSES ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_PROCESSES)
test: test-setup chromium
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
		CHROMIUM_PATH=$(CHROMIUM_PATH) $(PYTEST) $(PYTEST_ARGS); \
	else \
		echo "No Chromium at $(CHROMIUM_PATH): leaving out the browser tests (tests/browser)"; \
		$(PYTEST) -m "not browser" $(PYTEST_ARGS); fi

# The browser tests (tests/browser) drive Debian's Chromium; with the CJK fonts Korean pages show
# real glyphs in their screenshots. Installed here when missing: as root, else through sudo, after
# saying so. SKIP_BROWSER_INSTALL=1 installs nothing (the browser tests are then left out).
chromium:
	@[ ! -x "$(CHROMIUM_PATH)" ] || exit 0; \
	if [ -n "$(SKIP_BROWSER_INSTALL)" ]; then \
		echo "SKIP_BROWSER_INSTALL is set: not installing Chromium ($(BROWSER_PACKAGES))"; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "The browser tests need Chromium at $(CHROMIUM_PATH). Install it, or point CHROMIUM_PATH" \
		     "at one: make test CHROMIUM_PATH=/path/to/chromium" >&2; exit 1; fi; \
	if [ "$$(id -u)" -eq 0 ]; then as_root=""; \
	elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; \
	else echo "The browser tests need Chromium at $(CHROMIUM_PATH), and installing it needs root or sudo." \
	          "Install it as root: apt-get install --no-install-recommends $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
	echo "No Chromium at $(CHROMIUM_PATH). Installing the Debian packages $(BROWSER_PACKAGES) with" \
	     "apt-get$${as_root:+ through sudo} for the browser tests; to skip this, stop now (Ctrl-C) and run" \
	     "make test SKIP_BROWSER_INSTALL=1, or point CHROMIUM_PATH at a Chromium."; \
	[ ! -t 0 ] || sleep 5; \
	$$as_root env $(APT_INSTALL) $(BROWSER_PACKAGES) || \
		{ $$as_root apt-get update -q && $$as_root env $(APT_INSTALL) $(BROWSER_PACKAGES); }

# Regenerates the migration of the current models against a scratch SQLite database.
migration: $(STAMP)
	rm -f /tmp/forum-migration.sqlite
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db upgrade
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db migrate -m "$(MESSAGE)"

clean:
	rm -rf $(VENV) instance/forum.sqlite build forum.egg-info forum/static/vendor
