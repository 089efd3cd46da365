# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test lint bench reliability install clean locales

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/nhacviec demo

test: $(STAMP)
	$(BIN)/python -m pytest

# ruff (pyflakes, pycodestyle, bugbear) and mypy, both configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/mypy

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The README's Reliability table: real processes killed, a platform down, the database locked/full.
reliability: $(STAMP)
	$(BIN)/python bench/reliability.py

# Rewrite the core's catalogues (locales/*/LC_MESSAGES/messages.po) from tools/vi_core.py;
# tests/test_locales.py lists any sentence still missing a Vietnamese translation.
locales: $(STAMP)
	$(BIN)/python tools/make_po.py

clean:
	rm -rf $(VENV) .pytest_cache nhacviec.db*
