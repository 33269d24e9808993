# Forum — two commands: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forum
STAMP := $(VENV)/.installed
CHROMIUM_PATH ?= /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: run test lint setup chromium translations catalog migration clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	@if ls forum/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d forum/translations; fi

# Re-extracts the messages and merges them into every language's catalog (then translate the .po files).
catalog: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o forum/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -N -i forum/translations/messages.pot -d forum/translations --ignore-obsolete

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	SESSION_COOKIE_SECURE=false $(FLASK) run --host 127.0.0.1 --port 5000

# Style: ruff's lint rules (with a complexity limit) and its formatter, as configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup chromium
	CHROMIUM_PATH=$(CHROMIUM_PATH) $(BIN)/pytest $(PYTEST_ARGS)

# The browser tests (tests/browser) drive Debian's Chromium; with the CJK fonts Korean pages show
# real glyphs in their screenshots. Installed here when missing: as root, else through sudo.
chromium:
	@[ ! -x "$(CHROMIUM_PATH)" ] || exit 0; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "The browser tests need Chromium at $(CHROMIUM_PATH). Install it, or point CHROMIUM_PATH" \
		     "at one: make test CHROMIUM_PATH=/path/to/chromium" >&2; exit 1; fi; \
	if [ "$$(id -u)" -eq 0 ]; then as_root=""; \
	elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; \
	else echo "The browser tests need Chromium at $(CHROMIUM_PATH), and installing it needs root or sudo." \
	          "Install it as root: apt-get install --no-install-recommends $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
	echo "Installing $(BROWSER_PACKAGES) for the browser tests"; \
	$$as_root env $(APT_INSTALL) $(BROWSER_PACKAGES) || \
		{ $$as_root apt-get update -q && $$as_root env $(APT_INSTALL) $(BROWSER_PACKAGES); }

# Regenerates the migration of the current models against a scratch SQLite database.
migration: $(STAMP)
	rm -f /tmp/forum-migration.sqlite
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db upgrade
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db migrate -m "$(MESSAGE)"

clean:
	rm -rf $(VENV) instance/forum.sqlite
