# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.13 || echo $(HOME)/.pyenv/versions/3.13.0/bin/python3.13)
VENV := .venv
BIN := $(VENV)/bin
export PYENV_VERSION := 3.13.0

.PHONY: run test test-sqlite test-postgres lint install install-dev browser-deps messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the reference data, create the first admin, serve on http://127.0.0.1:8000
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_reference
	DEBUG=1 $(BIN)/python manage.py ensure_admin
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## Debian's Chromium for the browser tests (Playwright cannot download its own browser here), and poppler's
## pdftotext, which reads back the dashboard printed to PDF
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v pdftotext >/dev/null || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)

## make messages: collect the interface strings into locale/{es,fr}/LC_MESSAGES/django.po, then compile the .mo files
## (both are committed, so `make run` needs no compile step). Translate every new empty msgstr before committing.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l es -l fr --ignore=.venv --ignore=benchmarks --ignore=tests \
		--ignore=tools --no-obsolete
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install-dev browser-deps
	$(BIN)/pytest -q -p no:cacheprovider

# The layout matrix (every page x language x width in Chromium) checks CSS, which no database changes: it runs once,
# on SQLite, and keeps CI well under 30 minutes. Every other test, browser tests included, runs on both.
test-postgres: install-dev browser-deps
	bash scripts/with-postgres.sh $(BIN)/pytest -q -p no:cacheprovider --ignore=tests/browser/test_layout_matrix.py

## make test: install, lint, and run the whole suite on SQLite and then on a real PostgreSQL 15
test: lint test-sqlite test-postgres
