# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

.PHONY: venv demo test lint
venv: $(VENV)/.installed

demo: venv
	$(VENV)/bin/tongban demo

test: venv
	$(VENV)/bin/pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy tongban
	$(VENV)/bin/mypy testsupport benchmarks  # apart: benchmarks/calendar.py would shadow the stdlib's calendar
	$(VENV)/bin/mypy tests
	$(VENV)/bin/tongban makemigrations --check --dry-run
