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
# Not uv's --compile-bytecode: deploy/bytecode.py leaves out the packages' own test suites,
# which nothing imports (1,800 of 8,800 files of the runtime), and hands each core its share of
# the files at once; it compiles our own code too.
BYTECODE = $(VENV)/bin/python deploy/bytecode.py vendor_pipelines vendor_sandbox

sync: uv
	@$(UV) sync --frozen --quiet
	@$(BYTECODE)

# What the product runs, without the dev group (test tools and the SP-API SDK the suite
# validates with: 2,600 of 11,400 files to compile, 5 to 9 s of a new checkout's demo). Inexact:
# a checkout that ran `make test` keeps its dev group.
runtime: uv
	@$(UV) sync --frozen --quiet --no-dev --inexact
	@$(BYTECODE)

demo: runtime
	$(VENV)/bin/vendor-pipelines demo

# The UI and the demo share one persistent dev instance: dagster.yaml with SQLite storage.
dev: runtime
	@mkdir -p data/dagster_home && cat dagster.yaml deploy/dagster.sqlite.yaml > data/dagster_home/dagster.yaml
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
