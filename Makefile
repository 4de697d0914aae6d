# docmesh: every target installs what it needs first and is quick when nothing changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
GENERATED := gen/.stamp
# Pinned versions of the runtime dependencies and the build extra (what the image installs),
# resolved from pyproject.toml's ranges by `make lock`; installs use it as constraints.
LOCK := deploy/requirements.lock
UV_VERSION := 0.13.9
PROTO_FILES := $(shell find protos -name '*.proto')
REPLICAS ?= 1

.DEFAULT_GOAL := help
.PHONY: help install lock protos run migrate test lint bench clean screenshot

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The editable install maps the generated `docmesh` namespace package only if gen/ holds it,
# so code is generated between the dependency install and a quick second (no-deps) install.
# The lock constrains what it pins (the test extra is not pinned); dev/ holds the developer tools
# (launcher, test preflight), a distribution of their own that the image never installs.
$(INSTALLED): pyproject.toml $(LOCK) dev/pyproject.toml protos/generate.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -c $(LOCK) -e '.[test,bench]' -e ./dev
	$(PY) protos/generate.py
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

$(GENERATED): $(PROTO_FILES) protos/generate.py | $(INSTALLED)
	$(PY) protos/generate.py

install: $(INSTALLED) $(GENERATED) ## Create .venv, install docmesh with its test extras, generate code

# Not after install: a pyproject.toml whose ranges left the old pins must still be lockable.
lock: ## Re-resolve deploy/requirements.lock from pyproject.toml (UPGRADE=1: newest allowed versions)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra build --universal --python-version 3.11 \
		-o $(LOCK) $(if $(UPGRADE),--upgrade)

protos: $(INSTALLED) ## Regenerate the protobuf code and stubs into gen/
	$(PY) protos/generate.py

migrate: install ## Apply the database migrations to DOCMESH_DATABASE_URL
	$(PY) -m docmesh_session.migrate

run: install ## Start document, session, agent and gateway on embedded defaults (Ctrl-C stops all)
	$(PY) -m docmesh_dev.launcher --replicas $(REPLICAS)

test: install ## Run the whole test suite (uses PostgreSQL and Redis on localhost)
	$(PY) -m docmesh_dev.testenv
	bash tests/gateway/ensure_chromium.sh || [ "$$CI" != "true" ]
	$(PY) -m pytest

screenshot: install ## Regenerate the README pictures (tests/gateway/screenshots/) from the mesh
	bash tests/gateway/ensure_chromium.sh
	bash tests/document/ensure_poppler.sh
	DOCMESH_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider tests/gateway/test_screenshots.py

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy services gateway dev

bench: install ## Run the benchmarks in bench/ and print their figures
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the venv, generated code and local state
	rm -rf $(VENV) gen .state .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
