# Vocabulo platform. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REQS := $(wildcard requirements/*.txt) pyproject.toml
# make test runs everything that needs no container engine and no cluster:
# `make test-images` (container builds) and `make e2e` (live kind cluster) run the rest.
PYTEST_MARKERS ?= not images and not e2e
PYTEST_ARGS ?=

.PHONY: help venv test lint dev screenshots lock clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## create .venv with every pinned dependency (quick when nothing changed)

$(VENV)/.installed: $(REQS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "python3 -m venv failed: on Debian/Ubuntu run 'sudo apt-get install python3-venv'"; exit 1; }
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -r requirements/dev.txt -c requirements/constraints.txt
	$(PY) -m pip install -q --no-deps -r requirements/nodeps.txt -c requirements/constraints.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

test: venv ## run the whole test suite against a throwaway PostgreSQL (installed if missing)
	$(PY) scripts/pgserver.py run -- $(PY) -m pytest -m "$(PYTEST_MARKERS)" $(PYTEST_ARGS)

lint: venv ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy apps jobs/db-restore/db_restore scripts
	$(VENV)/bin/mypy --explicit-package-bases data/build bench

dev: venv models-junior ## run the platform without Kubernetes (local Postgres, restore, APIs on 8001/8002)
	$(PY) scripts/dev.py

screenshots: venv ## retake docs/screenshots/*.png from a running `make dev` (Debian chromium + Playwright)
	$(PY) scripts/screenshots.py

lock: ## re-pin requirements/constraints.txt from the current .venv
	$(PY) -m pip freeze --exclude-editable | sed 's/+cpu$$//' > requirements/constraints.txt

clean: ## remove the venv and caches (keeps .dev/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

-include mk/*.mk
