# Task runner for the template itself. `make demo` and `make test` set everything up on a fresh machine.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(abspath $(VENV))/bin/python
SCRATCH := .scratch
DEMO := $(SCRATCH)/retail-lakehouse
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help install lint format test demo bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.10+"; exit 1; }
	@command -v java >/dev/null || echo "warning: java not found; Spark tests need Java 17+"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group dev
	touch $@

install: $(VENV)/.installed ## Create .venv with the dev dependencies (pyproject group `dev`)

lint: install ## ruff check + format check, pre-commit config check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml

format: install ## Apply ruff fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: install ## Run the template's test suite (bakes projects and runs their tests)
	$(PY) -m pytest $(PYTEST_ARGS)

demo: install ## Bake the default project into .scratch/ and run its tests and local pipeline
	rm -rf $(DEMO)
	$(VENV)/bin/cookiecutter --no-input --output-dir $(SCRATCH) .
	$(MAKE) -C $(DEMO) test run-local PYTHON=$(PY)
	@echo "Demo project: $(DEMO)"

bench: install ## Time the local pipeline against plain PySpark on TPC-H (BENCH_ARGS="--scale 1")
	$(PY) -m bench.tpch $(BENCH_ARGS)

clean: ## Remove .venv, .scratch and caches
	rm -rf $(VENV) $(SCRATCH) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
