# Modelshelf: `make run` starts the demo, `make test` runs the suite, `make bench` the benchmarks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
FAKE_VENDOR_PORT ?= 8001
DEV_ENV := DEBUG=1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0

.PHONY: install run test bench lint audit load fuzz schema schema-check drills screenshots clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py seed_demo
	# The demo's eval runs call a fake vendor of their own on a free loopback port.
	$(DEV_ENV) OUTBOUND_ALLOWED_HOSTS=127.0.0.1 $(PY) manage.py seed_eval_demo
	$(DEV_ENV) $(PY) manage.py use_fake_vendor --url http://127.0.0.1:$(FAKE_VENDOR_PORT)
	$(DEV_ENV) PORT=$(PORT) FAKE_VENDOR_PORT=$(FAKE_VENDOR_PORT) \
		OUTBOUND_ALLOWED_HOSTS=127.0.0.1:$(FAKE_VENDOR_PORT) scripts/run.sh

# Two processes share the suite (its tests mostly wait: on browsers, servers, subprocesses);
# the tests that kill and time a real Celery worker run afterwards on a quiet machine.
test: install
	$(PY) -m pytest -n 2 -m "not real_worker"
	$(PY) -m pytest -m real_worker

# The speed goals are production's: PostgreSQL on 127.0.0.1:5432 and the Redis cache on
# 127.0.0.1:6379 (throttles, counts) unless DATABASE_URL and REDIS_URL name others.
# The API bench loads gunicorn with wrk, installed here when missing (as .ci/run installs
# chromium); without it, a slower Python load generator stands in.
bench: install
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null \
		|| sudo apt-get install -y -qq wrk >/dev/null; } || echo "bench: wrk unavailable"
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/modelshelf} \
		REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/3} $(PY) -m bench

# PNGs of the main pages (demo data, headless Chromium) into the gitignored screenshots/.
screenshots: install
	$(PY) scripts/screenshots.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m mypy  # files and strictness: [tool.mypy] in pyproject.toml

# Known vulnerabilities in pinned packages (waivers: see SECURITY.md) and high-severity findings.
audit: install
	$(PY) scripts/audit.py
	$(PY) -m bandit -q -r core accounts catalog usage evaluations gateways fakevendor modelshelf \
		--severity-level high

# schemathesis with 100 examples per operation and role (make test runs 2); hypothesis with
# 20,000 generated vendor answers per adapter and price-source parser (make test runs 40).
fuzz: install
	FUZZ_EXAMPLES=100 $(PY) -m pytest tests/test_fuzz_api.py -p no:randomly -q
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/catalog/test_vendors_fuzz.py -p no:randomly -q \
		--hypothesis-show-statistics

# The API contract, committed: regenerate it after changing the API; `make test` fails on drift.
# Integer bounds follow the database backend: the contract is production's, PostgreSQL's (the
# URL only picks the backend; nothing connects to it).
SCHEMA_ENV := DEBUG=1 DATABASE_URL=postgres://schema@127.0.0.1:1/schema
schema: install
	$(SCHEMA_ENV) $(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

schema-check: install
	$(PY) -m pytest tests/catalog/test_api_schema.py -p no:randomly -q -k committed

# 50 users for 60 s against gunicorn + PostgreSQL + Redis on loopback (needs both servers).
load: install
	$(PY) -m pip install --quiet -r requirements-load.txt
	scripts/load.sh

# Failure drills: worker kill -9 and broker crash mid-sync, then a PostgreSQL restart under
# traffic (restarts the local cluster: not for a shared machine).
drills: install
	scripts/drill_jobs.sh
	scripts/drill_postgres_restart.sh

clean:
	rm -rf var/test var/celery
