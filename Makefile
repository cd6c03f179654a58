# Childcare Direct: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Development only: the built-in OpenID provider stands in for GOV.UK One Login and DWP sign-in.
RUN_ENV := DEV_IDENTITY_PROVIDER=1 BASE_URL=http://$(HOST):$(PORT)
ASSETS := config/static

.PHONY: run test lint install install-test assets translations extract-messages chromium migrate seed web scheduler bench clean

## make run: install everything, migrate SQLite, add demo data if empty, serve on http://127.0.0.1:5000
run: install assets translations migrate seed
	@echo "Childcare Direct on http://$(HOST):$(PORT) (web app and scheduler; Ctrl-C stops both)"
	@$(RUN_ENV) $(FLASK) scheduler run & scheduler=$$!; \
	  $(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT) & web=$$!; \
	  trap 'kill $$scheduler $$web 2>/dev/null; wait; echo "Stopped."; exit 0' INT TERM; \
	  wait $$web; kill $$scheduler 2>/dev/null; wait

## make test: install what the tests need and run lint and the whole suite, a worker per core
## (SQLite by default; set TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
PYTEST_ARGS ?= -n auto
test: install-test assets translations chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

## translations: compile the committed Welsh catalogue (translations/cy/LC_MESSAGES/messages.po)
translations: translations/cy/LC_MESSAGES/messages.mo
translations/cy/LC_MESSAGES/messages.mo: translations/cy/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -D messages

## extract-messages: after changing text, extract every marked message and update the Welsh catalogue
extract-messages: $(VENV)/.installed
	$(BIN)/python scripts/extract_messages.py
install-test: $(VENV)/.installed-test

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS)/govuk-frontend.min.css: node_modules/.package-lock.json
	mkdir -p $(ASSETS)
	cp -R node_modules/govuk-frontend/dist/govuk/assets/. $(ASSETS)/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(ASSETS)/

$(ASSETS)/app.css: config/assets/app.css $(ASSETS)/govuk-frontend.min.css
	cp config/assets/app.css $@

assets: $(ASSETS)/govuk-frontend.min.css $(ASSETS)/app.css

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

## make bench: benchmarks against PostgreSQL, each printing its ratio to a same-run baseline
bench: install-test
	$(BIN)/python -m bench.run $(BENCH)

migrate: install
	@mkdir -p instance
	$(FLASK) db upgrade

seed: install
	$(FLASK) demo seed --if-empty

web: install assets migrate
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

scheduler: install migrate
	$(FLASK) scheduler run

clean:
	rm -rf $(VENV) node_modules $(ASSETS) instance .pytest_cache .ruff_cache .hypothesis
