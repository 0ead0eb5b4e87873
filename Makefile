# The two commands: `make run` (the portal, its worker and beat, with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=true

.PHONY: run test lint format messages makemessages clean help

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat (Ctrl-C stops)"
	@echo "make test   - the whole test suite (CI=true requires PostgreSQL, Redis and Chromium)"
	@echo "make lint   - ruff"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# axe-core and the Nu HTML checker for the browser journeys (package.json); without npm
# the journeys skip those two checks, except with CI=true, where they are required.
NPM := $(shell command -v npm)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Each catalogue is compiled when its .po is newer than its .mo, so two `make test` runs
# side by side (.ci/run's two lanes) never rewrite a catalogue the other is reading.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(MO)

locale/%.mo: locale/%.po | $(VENV)/.runtime
	$(DEV_ENV) $(PY) manage.py compile_translations

makemessages: $(VENV)/.runtime
	$(DEV_ENV) $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --no-obsolete

run: $(VENV)/.runtime messages
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v 0
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) bin/run-all

test: $(VENV)/.dev messages $(if $(NPM),node_modules/.package-lock.json)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf var/ staticfiles/ .pytest_cache
