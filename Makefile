# KIB — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST := $(VENV)/bin/pytest
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: run test test-sqlite test-postgres test-shuffled e2e bench lint install install-dev clean demo prod-smoke restore-check audit-deps

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Create the venv, install, migrate, load the demo, serve on http://127.0.0.1:8000 (with the PDF worker).
run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py serve_demo --addr $(HOST):$(PORT)

## Run the whole suite on SQLite and on a throwaway PostgreSQL cluster, in file order (reproducible;
## pytest-randomly is installed but switched off here: `make test-shuffled` is the order guard).
test: install-dev
	KIB_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/ruff check .
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install-dev
	tools/ensure-tools
	KIB_TESTING=1 $(PYTEST) -m "not e2e" -n 2 -p no:cacheprovider -p no:randomly $(PYTEST_ARGS)

test-postgres: install-dev
	tools/ensure-tools
	tools/with-postgres env KIB_TESTING=1 $(PYTEST) -m "not e2e" -n 2 -p no:cacheprovider -p no:randomly $(PYTEST_ARGS)

## The whole suite on SQLite in a random order (pytest-randomly prints its seed; repeat a run with
## PYTEST_ARGS=--randomly-seed=SEED): every test passes alone and in any order.
test-shuffled: install-dev
	tools/ensure-tools
	KIB_TESTING=1 $(PYTEST) -m "not e2e" -n 2 -p no:cacheprovider $(PYTEST_ARGS)

## End-to-end tests in Debian's Chromium (installed with apt-get when missing).
e2e: install-dev
	tools/ensure-chromium
	tools/ensure-tools
	tools/ensure-axe
	KIB_TESTING=1 $(PYTEST) -m e2e -p no:cacheprovider -p no:randomly $(PYTEST_ARGS)

## Benchmarks (figures only, no pass/fail): the yearly PDF build and its download.
bench: install-dev
	tools/ensure-tools
	tools/ensure-wrk
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

## Production: the server run end to end (one node, then two with Redis), a pg_dump restore, the dependency audit.
prod-smoke: install-dev
	tools/prod-smoke
	tools/prod-smoke --two-nodes

restore-check: install-dev
	tools/restore-check

audit-deps: install-dev
	tools/audit-deps

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
