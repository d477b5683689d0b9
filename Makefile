# crmgov — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# The first Python >= 3.12 on PATH (pyenv honours .python-version).
PYTHON := $(shell for p in python3.12 python3.13 python3.14 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: run test test-fast install migrate messages messages-update demo vendor lint check-python faults soak faults-app bench bench-cpu seed-scale

run: install migrate messages demo ## set up everything and start web + worker + beat
	@echo "crmgov: http://127.0.0.1:8000  (Ctrl-C stops the web app, the worker and beat)"
	DEBUG=$${DEBUG:-true} MFA_REQUIRED_FOR_LEADERSHIP=$${MFA_REQUIRED_FOR_LEADERSHIP:-false} honcho -f Procfile start

test: install messages ## the whole test suite, on two cores
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: install messages ## for local work: no browser tests, nothing marked slow
	$(PY) -m pytest -n 2 --dist loadgroup -m "not e2e and not slow"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "crmgov needs Python 3.12 or newer, and none was found on PATH." >&2; \
		echo "Install one (for example: pyenv install 3.12) and run make again." >&2; \
		exit 1; fi

migrate: install
	$(PY) manage.py migrate --noinput

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# After adding or changing a translatable string: refresh the zh-Hans catalogue (new entries appear
# untranslated or fuzzy; translate them, then `make messages`). CI fails when this would change it.
messages-update: install
	$(PY) manage.py makemessages -l zh_Hans --no-wrap --add-location=file \
		--ignore=.venv --ignore=node_modules --ignore=static --ignore=bench -v 0

demo: install
	$(PY) manage.py seed_demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Front-end assets are pinned in package.json and committed under static/vendor/,
# so running the app needs neither Node nor a CDN. Run after changing a version.
vendor:
	npm ci --no-audit --no-fund
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx static/vendor/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	for p in bootstrap bootstrap-icons htmx.org echarts; do cp node_modules/$$p/LICENSE static/vendor/$$(echo $$p | sed 's/\.org//')/ 2>/dev/null || true; done

# Fault injection for the e-mail outbox (needs the local PostgreSQL and redis-server); not a test.
faults: install
	$(PY) bench/fault_injection.py

# Soak at 70 % of the measured capacity (gunicorn + PostgreSQL + Redis, ~17 min); not a test.
# Overrides: SOAK_SECONDS, SOAK_LOAD, SOAK_RATE, SOAK_DATABASE, WEB_WORKERS … (see bench/soak.py).
soak: install messages
	$(PY) bench/soak.py

# Fault runs of the whole application under load (private PostgreSQL cluster on port 5440,
# created if missing; ~10 min); not a test. Overrides: FAULT_SMTP_SECONDS, FAULT_PAUSE … (bench/fault_app.py).
faults-app: install messages
	$(PY) bench/fault_app.py

# The enterprise-scale data set (issue 7) in the database DATABASE_URL names (PostgreSQL; empty, or
# SEED_FLAGS=--flush to empty it first). About 2.6 million rows.
seed-scale: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_scale $(SEED_FLAGS)

# Benchmark (not a test; see docs/performance.md): gunicorn with production settings on the seeded
# PostgreSQL, driven by wrk. Needs wrk, which it installs with apt-get when it is missing (Debian or
# Ubuntu; as root, or through sudo). Overrides: DATABASE_URL, REDIS_URL, BENCH_DURATION, BENCH_ROUNDS,
# BENCH_CONCURRENCY, BENCH_WORKERS, BENCH_PORT, BENCH_JSON (the header of bench/run.py lists them).
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (apt-get)"; \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi; }
	$(PY) bench/run.py

# The application's CPU time per page, in process (robust on a shared machine; docs/performance.md).
bench-cpu: install
	$(PY) bench/cpu.py
