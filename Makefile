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
# Two pytest workers, a test file each at a time (a file's module fixtures are made once): most
# tests wait on a JVM or a subprocess, so two files at once roughly halve the suite's wall time.
TEST_WORKERS ?= 2
BENCH_ARGS ?=

.PHONY: help install lint format test demo lock bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml tool/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11+"; exit 1; }
	@command -v java >/dev/null || echo "warning: java not found; Spark tests need Java 17+"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group dev
	$(PY) -m pip install --quiet --no-deps --editable ./tool
	touch $@

# tests/test_diagrams.py renders the generated README's diagrams with the real Mermaid renderer:
# mermaid-cli from npm, driving Debian's Chromium (puppeteer's own browser download is skipped).
MERMAID_CLI_VERSION := 11.17.0
$(VENV)/mermaid/.installed: Makefile
	missing=""; command -v npm >/dev/null || missing="npm"; \
	{ command -v chromium || command -v chromium-browser; } >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c "apt-get update -q && apt-get install -y -q $$missing"; fi
	mkdir -p $(VENV)/mermaid
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix $(VENV)/mermaid --no-audit --no-fund --silent \
		@mermaid-js/mermaid-cli@$(MERMAID_CLI_VERSION)
	touch $@

install: $(VENV)/.installed $(VENV)/mermaid/.installed ## Create .venv with the dev dependencies (pyproject group `dev`) and mermaid-cli

lint: install ## ruff check + format check, pre-commit config check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml

format: install ## Apply ruff fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: install ## Run the template's test suite (bakes projects and runs their tests)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

demo: install ## Bake the default project into .scratch/ and run its tests and local pipeline
	rm -rf $(DEMO)
	$(VENV)/bin/cookiecutter --no-input --output-dir $(SCRATCH) .
	$(MAKE) -C $(DEMO) test run-local PYTHON=$(PY)
	@echo "Demo project: $(DEMO)"

lock: install ## Pin the generated project's dependency groups (its requirements/*.txt) with uv
	rm -rf $(SCRATCH)/lock
	$(VENV)/bin/cookiecutter --no-input --output-dir $(SCRATCH)/lock .
	$(MAKE) -C $(SCRATCH)/lock/retail-lakehouse lock PYTHON=$(PY)
	cp $(SCRATCH)/lock/retail-lakehouse/requirements/{local,remote}.txt '{{cookiecutter.__project_slug}}/requirements/'

bench: install ## Time the local pipeline against plain PySpark on TPC-H (BENCH_ARGS="--scale 1")
	$(PY) -m bench.tpch $(BENCH_ARGS)

clean: ## Remove .venv, .scratch and caches
	rm -rf $(VENV) $(SCRATCH) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
