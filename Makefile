# The two commands a user needs (see README):  make figures   and   make test
# Each builds .venv from the exact pins if missing, fetches the corpora, then does its job.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.framing-installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: all figures test test-fast bench corpora venv clean-venv

all: test

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP)

corpora: $(STAMP)
	$(VENV)/bin/framing corpus fetch --all

figures: corpora
	$(PY) notebooks/_run.py

test: corpora
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not integration"

bench: corpora
	$(VENV)/bin/framing bench

clean-venv:
	rm -rf $(VENV)
