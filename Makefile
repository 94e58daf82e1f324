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

.PHONY: help bootstrap infra run up down test lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## install uv if missing and sync the workspace from uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv || \
		python3 -m pip install --quiet --break-system-packages uv
	$(UV) sync --locked

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

bench: bootstrap ## measure submission latency, whole-flow throughput and reporting; writes docs/benchmarks.md
	$(DEVSTACK) infra
	$(RUN) python -m samleng.devstack.bench

.PHONY: faults
faults: bootstrap ## run the whole fault suite on private RabbitMQ and MongoDB; writes docs/faults.md
	$(RUN) python -m samleng.devstack.faults $(FAULTS_ARGS)

clean: down ## stop the stack and delete .local (except the download cache)
	@if [ -d .local ]; then find .local -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +; fi
