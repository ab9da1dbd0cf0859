# eso — developer entry points. `make demo` and `make test` work on a fresh clone:
# they create .venv, build (or reuse) the control-plane binaries and start what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ESO_TESTBIN_DIR ?= $(HOME)/.cache/eso/testbin
export ESO_TESTBIN_DIR
PYTEST_ARGS ?=

.PHONY: install testbin lint test test-unit test-integration test-chaos demo bench crds clean help

help:
	@echo "make install   - create .venv with eso and its test/dev tools"
	@echo "make testbin   - build or reuse etcd, kube-apiserver, kube-controller-manager, kubectl"
	@echo "make lint      - ruff, mypy --strict, import-linter"
	@echo "make test      - install, build, lint and run the whole test suite"
	@echo "make demo      - run the seed tutorial end to end on a local sandbox"
	@echo "make bench     - run the benchmarks (figures in bench/results/)"
	@echo "make crds      - regenerate deploy/crds, the chart's CRDs and deploy/manifests from the models"
	@echo "make test-chaos - fault tests (provider outage, API-server restart, operator crashes, failover)"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

testbin:
	@bash hack/build-testbin.sh >/dev/null

lint: install
	$(BIN)/ruff check src tests bench hack
	$(BIN)/ruff format --check src tests bench hack
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install testbin lint
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: install testbin
	$(BIN)/pytest tests/integration tests/e2e $(PYTEST_ARGS)

test-chaos: install testbin
	$(BIN)/pytest -m chaos tests/chaos $(PYTEST_ARGS)

demo: install testbin
	$(BIN)/python hack/demo.py

bench: install testbin
	$(BIN)/python -m bench $(BENCH_ARGS)

crds: install
	$(BIN)/eso crds --output-dir deploy/crds
	$(BIN)/python hack/sync-chart-crds.py
	$(BIN)/python hack/render-manifests.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
