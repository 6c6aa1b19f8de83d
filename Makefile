# shebao — the two commands: `make run` and `make test`. Both set everything up from scratch.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
VENDOR := shebao/static/vendor
NODE_MODULES := frontend/node_modules

.PHONY: run test setup install assets translations migrate demo lint typecheck pytest e2e-deps bench clean

run: setup
	@$(MANAGE) seed_demo
	@echo "shebao is starting on http://127.0.0.1:8000 (admin: http://127.0.0.1:8000/admin/)"
	@echo "demo password of every user: Shebao-Demo-2026; reviewers, fund officers and administrators"
	@echo "also enter a two-factor code: $(PY) manage.py demo_otp USERNAME prints it (docs/security.md)"
	$(MANAGE) runserver 127.0.0.1:8000

test: setup lint typecheck pytest

setup: install assets translations migrate demo

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Static assets come from npm (lockfile committed) and are served by the app: never a CDN.
assets: $(VENDOR)/.copied
$(VENDOR)/.copied: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/fonts
	cp $(NODE_MODULES)/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/
	cp $(NODE_MODULES)/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/
	cp $(NODE_MODULES)/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/
	cp $(NODE_MODULES)/bootstrap-icons/font/fonts/* $(VENDOR)/fonts/
	cp $(NODE_MODULES)/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(NODE_MODULES)/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

translations: install
	@$(MANAGE) compile_translations

migrate: install assets
	@$(MANAGE) migrate --noinput -v0
	@$(MANAGE) collectstatic --noinput -v0

demo: migrate
	@$(MANAGE) seed_demo > /dev/null

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

pytest: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks print figures; they are not tests. The assessment benchmark needs PostgreSQL: it
# uses DATABASE_URL if set, else (re)creates the database shebao_bench on 127.0.0.1:5432.
# BENCH_PERSONS (default 1,000,000) sizes its register; BENCH_PAYROLL_PERSONS (default 500,000)
# the payroll's retirees, BENCH_MIGRATION_ROWS (default 1,000,000) the migration's contribution
# months; the statistics benchmark (bench.reports) uses BENCH_PERSONS too. See bench/README.md.
bench: install
	$(PY) -m bench.batch_validate
	$(PY) -m bench.assessment
	$(PY) -m bench.interest
	$(PY) -m bench.payroll
	$(PY) -m bench.migration
	$(PY) -m bench.reports

# Browser tests drive the system's Chromium; without a CJK font Chinese renders as boxes.
e2e-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
		echo "installing chromium and fonts-noto-cjk for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk > /dev/null; \
	fi

clean:
	rm -rf $(VENV) $(NODE_MODULES) $(VENDOR) var
