# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap uv with pip if needed.
SHELL := /bin/bash
PYTHON ?= python3
# Use uv from PATH when there is one, else the copy pip installs into this Python.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: uv sync runtime demo dev test lint format bench sandbox clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user uv \
		|| $(PYTHON) -m pip install --quiet --break-system-packages uv

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines) every
# process, dbt and Dagster steps included, would otherwise compile its imports from source.
SYNC = $(UV) sync --frozen --quiet --compile-bytecode
sync: uv
	@$(SYNC)
	@$(VENV)/bin/python -m compileall -q vendor_pipelines >/dev/null

# What the product runs, without the dev group (test tools and the SP-API SDK the suite
# validates with: 2,600 of 11,400 files to compile, 5 to 9 s of a new checkout's demo). Inexact:
# a checkout that ran `make test` keeps its dev group.
runtime: uv
	@$(SYNC) --no-dev --inexact
	@$(VENV)/bin/python -m compileall -q vendor_pipelines >/dev/null

demo: runtime
	$(VENV)/bin/vendor-pipelines demo

# The UI and the demo share one persistent dev instance (SQLite), configured by dagster.yaml.
dev: runtime
	@mkdir -p data/dagster_home && cp dagster.yaml data/dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/data/dagster_home $(VENV)/bin/dagster dev -w workspace.yaml

test: sync lint
	$(VENV)/bin/dagster definitions validate -w workspace.yaml
	$(VENV)/bin/pytest

lint: sync
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: sync
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

sandbox: runtime
	$(VENV)/bin/vendor-pipelines sandbox serve

bench: sync
	$(VENV)/bin/vendor-pipelines bench amazon
	$(VENV)/bin/vendor-pipelines bench netsuite

clean:
	rm -rf data dbt_finance/target .tmp_dagster_home_*
