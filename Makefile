# RealPeople: the few commands a newcomer needs. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SPARK_STAMP := $(VENV)/.installed-spark

export REALPEOPLE_LANDING_DIR ?= data/landing
export REALPEOPLE_DATA_DIR ?= data
export DAGSTER_HOME ?= $(abspath $(REALPEOPLE_DATA_DIR))/dagster_home
# Small, shared machines: OpenMP threads that spin-wait starve each other.
export OMP_WAIT_POLICY ?= passive
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false
export GX_ANALYTICS_ENABLED ?= false

# Demo world: about 20,000 accounts over 14 days.
ACCOUNTS ?= 20000
DAYS ?= 14
SEED ?= 7
END_DATE ?= 2026-11-15
# Label regime of the simulated reviews: scarce (default: ~50 ai_managed reviews on the
# demo world), rich, or JSON of simulator.LabelRegime fields.
LABELS ?= scarce
# Extra pytest arguments for `make test`, e.g. PYTEST_ARGS="-x -k ingest".
PYTEST_ARGS ?=
# pytest-xdist workers for make test and test-extended (0: one process). Each worker takes
# a whole test file at a time (--dist loadfile), so a module's fixtures (a simulated world,
# its warehouse) are built once, the longest files first (tests/conftest.py LONGEST_FILES;
# --no-loadscope-reorder keeps that order); two workers on 2 cores took make test from
# 1,345 s to 787 s (docs/operations.md).
TEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

.PHONY: help setup setup-dev lint format defs-check demo simulate run test test-extended test-spark conformance ui ui-check report-png bench bench-daily bench-ingest-growth bench-scoring bench-engines lock clean

help:
	@echo "make demo      simulate a small platform and run the whole pipeline on it"
	@echo "make run       the pipeline on REALPEOPLE_LANDING_DIR, writing under REALPEOPLE_DATA_DIR"
	@echo "make test      the whole test suite (but the Spark test)"
	@echo "make test-spark  DuckDB and local Spark build the same features (Java 17; minutes)"
	@echo "make conformance  CONFORMANCE_WORLDS (200) generated worlds through the whole pipeline"
	@echo "make ui        Dagster UI and MLflow UI on 127.0.0.1"
	@echo "make ui-check  drive both UIs in headless Chromium, save docs/ui-*.png (~10 min)"
	@echo "make simulate  only write the simulated deliveries"
	@echo "make bench     simulator throughput and peak memory at 100k and 1M accounts"
	@echo "make bench-daily  the daily run (one new day) vs a full recompute, 100k accounts x 28 days"
	@echo "make bench-ingest-growth  62 deliveries loaded one by one: does a delivery cost more as the warehouse grows?"
	@echo "make bench-scoring  scoring with reasons, stage by stage, at 100k and 1M accounts"
	@echo "make bench-engines  dbt run on DuckDB and local Spark at ~1M and ~10M events"

setup: $(STAMP)

# uv from the package registry into the venv, then this package (editable, src/realpeople)
# with only what the pipeline needs, every version held to the lock; compiled to bytecode
# (imports recompile every time otherwise). Re-runs only when the lock changes.
# Tests, linters and `dg` come with setup-dev; Spark and the UI check install on demand.
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -c requirements.lock -e .
	touch $@

setup-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -c requirements.lock -e '.[dev]'
	touch $@

$(SPARK_STAMP): $(DEV_STAMP)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -c requirements.lock -e '.[dev,spark]'
	touch $@

simulate: $(STAMP)
	$(PY) -m realpeople.simulator --accounts $(ACCOUNTS) --days $(DAYS) --seed $(SEED) --end-date $(END_DATE) \
	  --labels '$(LABELS)' \
	  --landing-dir $(REALPEOPLE_LANDING_DIR) --truth-path $(REALPEOPLE_DATA_DIR)/simulator/ground_truth.parquet

run: $(STAMP)
	$(PY) -m realpeople run

demo: simulate run

# Tests run in a loopback-only network namespace where the machine allows one (unshare):
# nothing a test starts can listen beyond this machine (LightGBM's Dask training binds
# every interface) and nothing reaches out. Elsewhere they run as they are, and the
# tests that need the namespace skip, saying why.
# The Spark test takes minutes on 2 cores (JVM start, per-query overhead): it has its own
# target, test-spark, so that `make test` stays under 10 minutes.
test: $(DEV_STAMP)
	@if unshare -rn true 2>/dev/null; then \
	  echo "tests in a loopback-only network namespace"; \
	  unshare -rn sh -c 'ip link set lo up && exec $(PY) -m pytest -m "not spark and not conformance and not extended" $(XDIST) $(PYTEST_ARGS)'; \
	else $(PY) -m pytest -m "not spark and not conformance and not extended" $(XDIST) $(PYTEST_ARGS); fi

# The whole-pipeline worlds beyond the core set (issue 13's three failures rebuilt, the
# catch-up snapshots): minutes; CI runs them after `make test`.
test-extended: $(DEV_STAMP)
	@if unshare -rn true 2>/dev/null; then \
	  unshare -rn sh -c 'ip link set lo up && exec $(PY) -m pytest -m extended $(XDIST) $(PYTEST_ARGS)'; \
	else $(PY) -m pytest -m extended $(XDIST) $(PYTEST_ARGS); fi

test-spark: $(SPARK_STAMP)
	@if unshare -rn true 2>/dev/null; then \
	  unshare -rn sh -c 'ip link set lo up && exec $(PY) -m pytest -m spark -s tests/integration/test_engines_agree.py'; \
	else $(PY) -m pytest -m spark -s tests/integration/test_engines_agree.py; fi

# Issue 13: CONFORMANCE_WORLDS seeded worlds (default 200; CONFORMANCE_FIRST_SEED picks
# another draw), each written straight as contract files and run through the whole
# pipeline in process; each must publish a contract-valid snapshot or stop for a designed
# reason (docs/operations.md). ~15-40 s per world on 2 cores: an hour or more for 200.
CONFORMANCE_WORLDS ?= 200
export CONFORMANCE_WORLDS
conformance: $(DEV_STAMP)
	@if unshare -rn true 2>/dev/null; then \
	  unshare -rn sh -c 'ip link set lo up && exec $(PY) -m pytest -m conformance -q -rA tests/conformance $(PYTEST_ARGS)'; \
	else $(PY) -m pytest -m conformance -q -rA tests/conformance $(PYTEST_ARGS); fi

# Lint, as CI runs it: ruff (lint and format) on the Python, sqlfluff on the SQL: the
# Python assets' SQL files with DuckDB's $name parameters, and the dbt models compiled by
# dbt's templater against a scratch raw layer (scripts/lint_dbt_sql.py).
LINT_PATHS := src tests benchmarks scripts
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed
$(LINT_STAMP): requirements-lint.lock $(STAMP)
	test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(VENV)/bin/uv pip sync --quiet --python $(LINT_VENV)/bin/python requirements-lint.lock
	touch $@

lint: $(DEV_STAMP) $(LINT_STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(LINT_VENV)/bin/sqlfluff lint --templater placeholder src
	$(LINT_VENV)/bin/python scripts/lint_dbt_sql.py lint

# Rewrite what the linters can fix themselves (then review the diff).
format: $(DEV_STAMP) $(LINT_STAMP)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)
	$(VENV)/bin/ruff format $(LINT_PATHS)
	-$(LINT_VENV)/bin/sqlfluff fix --templater placeholder src
	-$(LINT_VENV)/bin/python scripts/lint_dbt_sql.py fix

# Dagster's own check that every definition loads and validates (CI runs it).
defs-check: $(DEV_STAMP)
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/dg check defs

# Not a test: minutes, and ~8 GB of memory for 1M accounts. Writes under /tmp, then deletes.
bench: $(STAMP)
	$(PY) benchmarks/simulate.py --days $(DAYS)

# Not a test: the daily run (one new day) at BENCH_ACCOUNTS x BENCH_WINDOW-day features,
# against a full recompute and a plain sort of the window on the same warehouse; one JSON
# line (docs/benchmarks.md). 100k accounts x 28 days: about half an hour on 2 cores.
# BENCH_WARM_DAYS daily runs before the timed one (steady state; 0: the first daily run
# after the history's full build, as up to stop 37). BENCH_REPEATS timed daily runs and
# full recomputes, interleaved; the ratios are the medians' (each repeat adds ~6 minutes).
BENCH_ACCOUNTS ?= 100000
BENCH_WINDOW ?= 28
BENCH_WARM_DAYS ?= 0
BENCH_REPEATS ?= 1
bench-daily: $(STAMP)
	$(PY) benchmarks/daily_run.py --accounts $(BENCH_ACCOUNTS) --window $(BENCH_WINDOW) \
	  --warm-days $(BENCH_WARM_DAYS) --repeats $(BENCH_REPEATS) \
	  --work-dir /tmp/realpeople-bench-daily-$(BENCH_ACCOUNTS)x$(BENCH_WINDOW)

# Not a test: BENCH_ACCOUNTS x 62 days simulated, then loaded one delivery at a time as
# `make run` does (ingest only); one JSON line per delivery and a summary: the first five
# against the last five (docs/benchmarks.md). 100k accounts: about 10 minutes, ~6 GB of disk.
bench-ingest-growth: $(STAMP)
	$(PY) benchmarks/ingest_growth.py --accounts $(BENCH_ACCOUNTS) --days 62 \
	  --work-dir /tmp/realpeople-bench-ingest-growth-$(BENCH_ACCOUNTS)

# Not a test: the account_scores path (read, predict, calibrate, policy, reasons, write) at
# 100k and 1M accounts, stage by stage with peak memory; one JSON line per size
# (docs/benchmarks.md, "Scoring at scale"). SCORING_WORLD=<data dir> resamples a simulated
# world's features and scores them with its champion; without it, synthetic accounts.
SCORING_WORLD ?=
bench-scoring: $(DEV_STAMP)
	$(PY) benchmarks/scoring.py --accounts 100000 1000000 --work-dir /tmp/realpeople-bench-scoring \
	  $(if $(SCORING_WORLD),--world $(SCORING_WORLD))

# Not a test: dbt run of the features on DuckDB and on local Spark at ~1M and ~10M events
# (9k and 90k accounts over 14 days); figures for docs/scaling.md. Tens of minutes.
bench-engines: $(SPARK_STAMP)
	$(PY) benchmarks/engines.py --accounts 9000 --days 14 --work-dir /tmp/realpeople-bench-engines
	$(PY) benchmarks/engines.py --accounts 90000 --days 14 --work-dir /tmp/realpeople-bench-engines

ui: $(DEV_STAMP)
	$(PY) -m realpeople prepare
	$(PY) scripts/ui.py

# Both UIs in Debian's Chromium (apt-get install chromium), driven by Playwright: the
# ui-check extra, installed with uv (never `playwright install`: no browser download).
# Not part of `make test`: CI machines have no Chromium.
ui-check: $(DEV_STAMP)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -c requirements.lock -e '.[ui-check]'
	$(PY) scripts/ui_check.py

# The newest published report as it prints (A4 pages, stacked) -> docs/report.png.
report-png: $(STAMP)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -c requirements.lock -e '.[docs]'
	$(PY) scripts/render_report.py

# Re-resolve the lock from pyproject.toml within the known-good set.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra ui-check --extra spark --extra docs --python-version 3.11 \
	  -c constraints/known-good-py311.txt -o requirements.lock
	$(VENV)/bin/uv pip compile constraints/lint.in --python-version 3.11 -o requirements-lint.lock

clean:
	rm -rf data dbt_project/target dbt_project/logs
