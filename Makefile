# The verbs a newcomer needs. `make demo` and `make test` bootstrap everything on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
RUN := $(UV) run --frozen --all-packages
DAYS ?= 56
SEED ?= 7
OUT ?= nexus-out

.PHONY: help bootstrap demo up test test-fast lint fmt typecheck schemas check-schemas bench package clean dashboard-test dashboard-build

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: uv.lock pyproject.toml $(UV)
	$(UV) sync --frozen --all-packages
	@touch $@

bootstrap: .venv/.synced  ## install uv (if missing) and the locked environment

demo: bootstrap  ## start the local AWS runtime, backfill DAYS of simulated data, run the weekly analysis
	$(RUN) nexus demo --days $(DAYS) --seed $(SEED) --out $(OUT)

up: bootstrap dashboard-build  ## run the local runtime in the foreground: AWS on :4566, dashboard and API on :8000
	$(RUN) nexus up

lint: bootstrap  ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

fmt: bootstrap  ## format and fix what ruff can
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

typecheck: bootstrap  ## mypy with the pydantic plugin
	$(RUN) mypy contracts/src core/src local/src cli/src $(wildcard services/*/src) infra_pulumi/src

schemas: bootstrap  ## export the event JSON Schemas to contracts/schemas/
	$(RUN) python -m nexus_contracts.schemas contracts/schemas

test: lint typecheck dashboard-test  ## everything: lint, types, unit, contract, integration, infra, e2e, reliability
	$(RUN) pytest -n 2 --dist loadgroup -q

dashboard/dist/index.html: dashboard/package-lock.json dashboard/index.html dashboard/vite.config.ts $(shell find dashboard/src -type f)
	cd dashboard && npm ci --no-audit --no-fund && npx vite build

dashboard-build: dashboard/dist/index.html  ## build the dashboard (npm ci from the lock, vite build) when its sources changed

dashboard-test:  ## dashboard: npm ci from the lock, strict type check, Vitest, vite build (browser suite runs in test)
	cd dashboard && npm ci --no-audit --no-fund && npm run typecheck && npm test && npx vite build

test-fast: bootstrap  ## unit and contract tests only
	$(RUN) pytest -q tests/unit tests/contract

bench: bootstrap  ## benchmarks with printed figures
	$(RUN) python -m bench

package: bootstrap  ## build every Lambda zip and layer under build/ (arm64, Python 3.12); fails past Lambda's limits
	$(RUN) python -m nexus_infra.package --out build

clean:  ## remove local state and outputs (keeps the environment)
	rm -rf .nexus $(OUT)
