# Two entry points: `make demo` (install + run the main job on embedded defaults)
# and `make test` (install + run the test suite). Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synthsoc-installed
DEMO_OUT ?= out/demo

.PHONY: demo test install lint typecheck bench clean

# llama.cpp's CPU backend is compiled on the installing machine, by default for its exact
# CPU. On virtualised Sapphire/Granite Rapids CPUs that build crashed on the first token
# (a general protection fault in libggml-cpu, its AMX kernels: seen here; ollama #17249,
# dspy #10079), so on x86-64 it is built for AVX2 instead, which any such machine of the
# last decade runs; other architectures keep the default. --no-cache-dir: pip's wheel cache
# ignores CMAKE_ARGS and would return a wheel built without them. The version is the one
# pyproject.toml pins.
LLAMA_CPP := $(shell grep -o 'llama-cpp-python\[server\]==[0-9.]*' pyproject.toml)
LLAMA_CMAKE_ARGS := $(if $(filter x86_64,$(shell uname -m)),-DGGML_NATIVE=OFF -DGGML_AVX=ON \
	-DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)

$(STAMP): pyproject.toml
	@test -n "$(LLAMA_CPP)" || { echo "Makefile: pyproject.toml pins no" \
		"llama-cpp-python[server]==VERSION, which the install builds first" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --no-cache-dir '$(LLAMA_CPP)'
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
