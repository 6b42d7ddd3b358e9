# Two commands for a newcomer: `make report` and `make test`. Both build .venv first when it is
# missing or when pyproject.toml's content changed since the last install.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg

.PHONY: help install report test test-slow check-clean lab bench clean docs docs-guard mutate

help:
	@echo "make report     run the evaluation report on the bundled data (prints the HTML path)"
	@echo "make test       clean/export checks, notebook tests, integration tests"
	@echo "make test-slow  the same, including cells flagged #| slow"
	@echo "make lab        JupyterLab with a registered 'tradebot' kernel"
	@echo "make bench      run the benchmark scripts"
	@echo "make docs       the documentation site (needs Quarto; on GitHub: .github/workflows/deploy.yaml)"
	@echo "make mutate     mutation score of labels, validation, backtest, metrics (long; not in CI; ARGS=--help)"

# The stamp holds pyproject.toml's SHA-256: nbdev-export rewrites the file with the same content (a new
# mtime), which must not trigger a reinstall; a real change to it does.
PYPROJECT_SHA := $(shell sha256sum pyproject.toml 2>/dev/null | cut -d' ' -f1)
ifneq ($(PYPROJECT_SHA),$(shell cat $(STAMP) 2>/dev/null))
.PHONY: $(STAMP)
endif

$(STAMP):
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,ray]"
	@$(MAKE) --no-print-directory docs-guard
	@echo $(PYPROJECT_SHA) > $(STAMP)

# Quarto cannot be installed on machines without internet, and nbdev-docs would then try to download it with sudo
# and leave files behind. The venv's nbdev-docs first checks for Quarto and, without it, says so in one line;
# with Quarto it runs nbdev's own. The site itself is built on GitHub (.github/workflows/deploy.yaml).
docs-guard:
	@test -e $(BIN)/.nbdev-docs.real || mv $(BIN)/nbdev-docs $(BIN)/.nbdev-docs.real
	@printf '%s\n' '#!/bin/sh' \
	  'command -v quarto >/dev/null 2>&1 || { echo "error: nbdev-docs needs Quarto (https://quarto.org/docs/get-started/), which is not installed here; the docs site is built on GitHub by .github/workflows/deploy.yaml" >&2; exit 1; }' \
	  'exec "$$(dirname "$$0")/.nbdev-docs.real" "$$@"' > $(BIN)/nbdev-docs
	@chmod +x $(BIN)/nbdev-docs

docs: $(STAMP)
	$(BIN)/nbdev-docs

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

# pytest on two processes, one test file each, so a file's module fixtures are built once (pytest-xdist); PYTEST_WORKERS= runs it in one.
PYTEST_WORKERS ?= -n 2 --dist loadfile

test: check-clean
	$(BIN)/nbdev-test --n-workers 2
	$(BIN)/pytest tests/ $(PYTEST_WORKERS)

test-slow: check-clean
	$(BIN)/nbdev-test --n-workers 2 --flags slow
	$(BIN)/pytest tests/ --runslow $(PYTEST_WORKERS)

# The kernel is registered inside .venv (--sys-prefix), so two clones never overwrite each other's kernel;
# root (containers) needs --allow-root. LAB_ARGS passes more options, e.g. LAB_ARGS="--no-browser --port 8899".
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name tradebot --display-name "tradebot (.venv)"
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ROOT) $(LAB_ARGS)

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# One-line mutants of the four modules that decide what a result is worth, each run against the tests that exercise
# it; prints killed/survived/score per module and lists the survivors (tools/mutate.py; tools/mutate_equivalent.txt).
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py $(ARGS)

clean:
	rm -rf reports/out _proc _docs .pytest_cache
