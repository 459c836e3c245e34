# felrisk: the two commands of the README, and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	@touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/python -m felrisk.demo --out $(DEMO)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	# loadfile: a test file runs on one worker, so its module fixtures (a trained store, a tracking
	# server, a Spark session) are built once. pytest 9 ignores xdist's loadgroup renaming, which
	# silently split every xdist_group across workers (10.8 min; 7.9 min with loadfile).
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
