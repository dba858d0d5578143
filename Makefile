# civic: two commands on a fresh machine with Python 3.11+ and Node.
#   make run   set everything up and serve http://127.0.0.1:5000
#   make test  set everything up, lint, run the whole suite
# Every step is idempotent: a stamp file records what was installed from which inputs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run prod test test-fast setup python-deps assets translations db demo lint format typecheck worker prod-check clean

run: setup db demo
	@echo "civic is served at http://$(HOST):$(PORT) with a job worker beside it (Ctrl-C stops all)"
	@if [ -z "$$STRIPE_SECRET_KEY" ]; then echo "no Stripe keys: payments go to localstripe on 127.0.0.1:8420 (test card 4242 4242 4242 4242)"; fi
	stripe=""; if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	  $(BIN)/localstripe --port 8420 >instance/localstripe.log 2>&1 & stripe=$$!; fi; \
	  $(BIN)/huey_consumer civic.worker.huey --workers 1 --logfile instance/worker.log & \
	  worker=$$!; trap "kill $$worker $$stripe 2>/dev/null" EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

# Production on one machine: settings from the environment (see docs/deployment.md), checked
# first; gunicorn with several workers, job workers beside it.
WORKERS ?= 4
prod: setup
	CIVIC_ENV=production $(FLASK) civic check
	CIVIC_ENV=production $(FLASK) db upgrade
	@echo "civic (production) at http://$(HOST):$(PORT): $(WORKERS) web workers, 2 job workers"
	CIVIC_ENV=production $(BIN)/huey_consumer civic.worker.huey --workers 2 & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  CIVIC_ENV=production $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	    --graceful-timeout 20 wsgi:app

# The whole suite, on two processes (pytest-xdist: each has its own database, mail server and
# Stripe stand-in); JOBS=1 runs it in one.
JOBS ?= 2
test: setup lint
	$(BIN)/pytest -n $(JOBS)

# The inner loop: unit and web tests on SQLite, no browser, no lint, no form fuzzing.
test-fast: setup
	CIVIC_TEST_DATABASE_URL= $(BIN)/pytest -n $(JOBS) -m "not fuzz" tests/unit tests/web

setup: python-deps assets translations

# Python: the venv and the package with its extras, reinstalled only when pyproject.toml changes.
python-deps: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front end: npm ci, then copy what the pages use into static/vendor (ignored by git).
assets: static/vendor/.built
static/vendor/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor
	mkdir -p static/vendor/css static/vendor/svg static/vendor/fonts
	cp node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css static/vendor/css/
	cp node_modules/bootstrap-italia/dist/svg/sprites.svg static/vendor/svg/
	mkdir -p static/vendor/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static/vendor/leaflet/
	mkdir -p static/vendor/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	for family in Titillium_Web Lora Roboto_Mono; do \
	  mkdir -p static/vendor/fonts/$$family; \
	  cp node_modules/bootstrap-italia/dist/fonts/$$family/*.woff* static/vendor/fonts/$$family/; \
	done
	touch $@

# Translations: compile the catalogues when a .po changes.
PO_FILES := $(wildcard civic/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
translations: $(MO_FILES)
civic/translations/%/LC_MESSAGES/messages.mo: civic/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -d civic/translations -l $*

# Refresh the catalogue after changing translatable text (then translate the new entries).
extract-messages: python-deps
	$(BIN)/pybabel extract -F babel.cfg -k _l -k translatable -k lazy_gettext -k lazy_pgettext:1c,2 --ignore-dirs ".* node_modules" -o civic/translations/messages.pot --no-location --sort-output --width 100 .
	$(BIN)/pybabel update -i civic/translations/messages.pot -d civic/translations --no-fuzzy-matching --ignore-obsolete --width 100

db: python-deps
	mkdir -p instance
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo

lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -c pyproject.toml -r civic -q
	$(BIN)/lint-imports

format: python-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Background jobs (e-mail, deadlines): Huey, SQLite storage by default, Redis with REDIS_URL.
worker: setup db
	$(BIN)/huey_consumer civic.worker.huey --workers 2

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache
