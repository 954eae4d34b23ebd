# One entry point for people and CI. `make demo` and `make test` are the README's quick start.
PY ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
BIN := .venv/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PY)

.PHONY: setup services demo test test-fast check lint typecheck policy-check unit docs bench bench-desk clean

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

setup: .venv/.synced

## demo: screen the bundled sample roster (writes out/), then seed the demo desk on
## SQLite (var/demo/) and serve it on http://127.0.0.1:8000 (Ctrl-C stops it)
demo: setup
	$(BIN)/visadesk sample out/sample.csv
	$(BIN)/visadesk screen out/sample.csv --xlsx out/screening.xlsx --csv out/screening.csv
	env -u VISADESK_DATABASE_URL VISADESK_DATA_DIR=var/demo $(BIN)/visadesk demo --reset

## services: PostgreSQL and chromium for the tests (installed from Debian when root and missing)
services:
	@bash tools/ci/ensure-services.sh

## test: everything CI runs - lint, types, the rule set check, the whole test suite
## (SQLite always; PostgreSQL and the browser tests when services are there, else reported skipped)
test: services check unit

## test-fast: the tier a developer runs often (under a minute): no PostgreSQL, no browser,
## no crash/fuzz/burst/benchmark tests, Hypothesis's fast profile, a pytest worker per core;
## lint and types are `make check` (docs/testing.md). Byte-code caching stays on for it
## even where PYTHONDONTWRITEBYTECODE is set: each worker would otherwise recompile everything.
test-fast: setup
	PYTHONDONTWRITEBYTECODE= HYPOTHESIS_PROFILE=fast \
		$(BIN)/pytest -q -n auto --dist loadfile -m "not postgres and not browser and not slow"

check: setup
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench
	$(BIN)/mypy
	$(BIN)/visadesk policy check --all

unit: setup
	$(BIN)/pytest

## docs: regenerate docs/cli.md from the real --help output
docs: setup
	$(BIN)/python tools/gen_cli_docs.py docs/cli.md

clean:
	rm -rf .venv .tools out .pytest_cache .mypy_cache .ruff_cache

## bench: the benchmark (about 15 minutes); writes docs/benchmarks.md (the desk's figures: make bench-desk)
bench: setup
	$(BIN)/python -m bench.run

## bench-desk: the desk's queue page and roster upload, SQLite and PostgreSQL (about 10 minutes)
bench-desk: setup
	$(BIN)/python -m bench.desk
