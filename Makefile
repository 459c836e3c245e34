# felrisk: the commands of the README, and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo
# the fast lane: unit tests only; `make test` runs these markers too
FAST   := not slow and not spark and not mlflow_server and not browser
# Two workers of two LightGBM threads share 2 cores: OpenMP threads that spin while they wait
# take the cores from the other worker (tests/models: 80 s -> 20 s on a busy 2-core machine).
PYTEST := OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -n 2 --dist loadfile

.PHONY: demo test test-fast lint bench clean

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
	$(PYTEST)

# Unit tests without the slow, Spark, browser and tracking-server ones: about two minutes on 2 cores.
test-fast: $(VENV)/.installed-dev
	$(PYTEST) -m "$(FAST)"

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
