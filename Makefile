# Samleng developer commands. See docs/development.md.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv may be missing on a fresh machine: `bootstrap` installs it with pip, after which
# `python3 -m uv` works even when pip's script directory is not on PATH.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --locked
DEVSTACK := $(RUN) python -m samleng.devstack
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help bootstrap infra run up down test lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# What the browser tests need from Debian: Chromium (never a downloaded build), Khmer fonts
# for the dashboard, Noto Sans Khmer (the source of the portal's font subset).
BROWSER_FILES := /usr/bin/chromium /usr/share/fonts/truetype/khmeros/KhmerOS.ttf \
	/usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf
BROWSER_PACKAGES := chromium fonts-khmeros fonts-noto-core

bootstrap: ## install uv, chromium, Khmer fonts and wrk if missing; sync from uv.lock; contract validators
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv || \
		python3 -m pip install --quiet --break-system-packages uv
	@missing=0; for f in $(BROWSER_FILES); do [ -e "$$f" ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "as root: apt-get install -y $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
		echo "installing $(BROWSER_PACKAGES) with apt-get"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
			$(BROWSER_PACKAGES) >/dev/null; \
	fi
	$(UV) sync --locked
	@# the official AsyncAPI parser (npm), pinned by tools/contracts/package-lock.json, into
	@# tools/contracts/node_modules (gitignored); skipped while it is newer than the lock
	@if [ tools/contracts/node_modules/.package-lock.json -nt tools/contracts/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tools/contracts --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm not found: tests/observability/test_asyncapi.py needs Node.js and npm" >&2; fi
	@# wrk (Debian's package) drives `make bench`'s ceiling with little CPU of its own; without
	@# it (no apt-get, not root) the bench falls back to its Python load generator
	@command -v wrk >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk not installed: make bench will drive the ceiling from Python" >&2

infra: bootstrap ## start RabbitMQ and MongoDB on loopback if they are not running
	$(DEVSTACK) infra

run: bootstrap ## run infra and all services in the foreground (Ctrl-C stops them)
	$(DEVSTACK) run

up: bootstrap ## start infra and all services in the background
	$(DEVSTACK) up

down: ## stop what `make up` (or infra) started
	@if [ -x .venv/bin/python ]; then $(DEVSTACK) down; else echo "nothing to stop (no .venv)"; fi

test: bootstrap ## run every test tier against real RabbitMQ and MongoDB, then lint
	$(DEVSTACK) infra
	$(RUN) pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory lint

lint: bootstrap ## ruff, formatting, mypy and import contracts
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy libs services tools
	$(RUN) lint-imports

bench: bootstrap ## issue #19's figures: ceiling, whole flow (empty and 1M history), latency; docs/benchmarks.*
	$(DEVSTACK) infra
	$(RUN) python -m samleng.devstack.bench $(BENCH_ARGS)

.PHONY: faults
faults: bootstrap ## run the whole fault suite on private RabbitMQ and MongoDB; writes docs/faults.md
	$(RUN) python -m samleng.devstack.faults $(FAULTS_ARGS)

clean: down ## stop the stack and delete .local (except the download cache)
	@if [ -d .local ]; then find .local -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +; fi
