# Modelshelf: `make run` starts the demo, `make test` runs the suite, `make bench` the benchmarks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV_ENV := DEBUG=1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0

.PHONY: install run test bench lint audit load clean screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) PORT=$(PORT) scripts/run.sh

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m bench

# PNGs of the main pages (demo data, headless Chromium) into the gitignored screenshots/.
screenshots: install
	$(PY) scripts/screenshots.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities in pinned packages (waivers: see SECURITY.md) and high-severity findings.
audit: install
	$(PY) -m pip_audit --progress-spinner off -r requirements.txt
	$(PY) -m bandit -q -r accounts catalog modelshelf --severity-level high

# 50 users for 60 s against gunicorn + PostgreSQL + Redis on loopback (needs both servers).
load: install
	$(PY) -m pip install --quiet -r requirements-load.txt
	scripts/load.sh

clean:
	rm -rf var/test var/celery
