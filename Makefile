# Forum — two commands: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forum
STAMP := $(VENV)/.installed

.PHONY: run test setup translations catalog migration clean

$(STAMP): setup.cfg pyproject.toml
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

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

# Regenerates the migration of the current models against a scratch SQLite database.
migration: $(STAMP)
	rm -f /tmp/forum-migration.sqlite
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db upgrade
	DATABASE_URL=sqlite:////tmp/forum-migration.sqlite $(FLASK) db migrate -m "$(MESSAGE)"

clean:
	rm -rf $(VENV) instance/forum.sqlite
