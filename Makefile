# ProCX: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_WORKBOOK := fixtures/demo_workbook.xlsx
DEMO_CUSTOMERS ?= 1000

# Demo webhook secrets for `make run` only (a laptop; set your own in production; never in `make test`).
# `make run` prints where they are; run_event_driven signs its sample deliveries with them.
run: export PROCX_WEBHOOK_SECRET ?= whsec_cHJvY3gtZGVtby13ZWJob29rLXNpZ25pbmcta2V5ISE=
run: export PROCX_STRIPE_WEBHOOK_SECRET ?= whsec_procx_demo_stripe_secret
run: export PROCX_SHOPIFY_WEBHOOK_SECRET ?= procx-demo-shopify-secret
run: export PROCX_ZENDESK_WEBHOOK_SECRET ?= procx-demo-zendesk-secret
run: export PROCX_QUALTRICS_WEBHOOK_SECRET ?= procx-demo-qualtrics-secret

.PHONY: run test install install-test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements/base.txt
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py generate_dataset --customers $(DEMO_CUSTOMERS) --seed 42 --out $(DEMO_WORKBOOK)
	$(BIN)/python manage.py import_workbook $(DEMO_WORKBOOK)
	$(BIN)/python manage.py ensure_staff_login
	@echo "Webhooks: POST http://$(HOST):$(PORT)/api/webhooks/{events,stripe,shopify,zendesk,qualtrics}/ (schema, for signed-in staff: /api/schema/);"
	@echo "  demo signing secrets are the PROCX_*_WEBHOOK_SECRET variables at the top of the Makefile;"
	@echo "  '.venv/bin/python manage.py run_event_driven --url http://$(HOST):$(PORT)' posts signed samples."
	@echo "ProCX on http://$(HOST):$(PORT)/ (web app and worker; Ctrl-C stops both)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py qcluster & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT); \
	wait

test: install-test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/scan_bench.py
	$(BIN)/python bench/pipeline_bench.py
	$(BIN)/python bench/webhook_bench.py
	$(BIN)/python bench/pages_bench.py
	$(BIN)/python bench/churn_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
