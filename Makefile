# Two entry points: `make demo` (install + run the main job on embedded defaults)
# and `make test` (install + run the test suite). Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synthsoc-installed
DEMO_OUT ?= out/demo

.PHONY: demo test install lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev,llm,bench,agents,posterior,service,ray]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) -m synthsoc demo --out $(DEMO_OUT)

test: install
	sh scripts/install-browser.sh
	$(PY) -m ruff check src tests bench
	$(PY) -m mypy
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check src tests bench

typecheck: install
	$(PY) -m mypy

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
