# Two commands for a newcomer: `make report` and `make test`. Both build .venv first when it is
# missing or older than pyproject.toml.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg

.PHONY: help install report test test-slow check-clean lab bench clean mutate

help:
	@echo "make report     run the evaluation report on the bundled data (prints the HTML path)"
	@echo "make test       clean/export checks, notebook tests, integration tests"
	@echo "make test-slow  the same, including cells flagged #| slow"
	@echo "make lab        JupyterLab with a registered 'tradebot' kernel"
	@echo "make bench      run the benchmark scripts"
	@echo "make mutate     mutation score of labels, validation, backtest, metrics (long; not in CI; ARGS=--help)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(BIN)/tradebot report $(ARGS)

# nbdev-clean and nbdev-export must be no-ops on committed work: anything they change or add
# (a notebook saved with outputs metadata, a module never exported or never committed) fails here.
check-clean: $(STAMP)
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-export
	@if [ -n "$$(git status --porcelain)" ]; then \
	  echo "error: the work tree is not clean after nbdev-clean + nbdev-export (run both, then commit):"; \
	  git status --porcelain; exit 1; fi

test: check-clean
	$(BIN)/nbdev-test --n-workers 2
	$(BIN)/pytest tests/

test-slow: check-clean
	$(BIN)/nbdev-test --n-workers 2 --flags slow
	$(BIN)/pytest tests/ --runslow

lab: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name tradebot --display-name "tradebot (.venv)"
	$(BIN)/jupyter lab --notebook-dir=.

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# One-line mutants of the four modules that decide what a result is worth, each run against the tests that exercise
# it; prints killed/survived/score per module and lists the survivors (tools/mutate.py; tools/mutate_equivalent.txt).
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py $(ARGS)

clean:
	rm -rf reports/out _proc _docs .pytest_cache
