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

.PHONY: all figures test test-fast bench bench-scale corpora venv clean-venv lab lab-setup lab-check

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

# The Dask pipeline on synthetic corpora of 100k, 300k and 1M articles (README, "Big corpora").
# Not part of make bench or make test: hours on a laptop. SCALE_SIZES=2000,10000 for a quick look.
SCALE_SIZES ?= 100000,300000,1000000
bench-scale: corpora
	$(PY) -c "import json, sys; from framing.bench.scale import run; \
	json.dump(run(sizes=[int(n) for n in '$(SCALE_SIZES)'.split(',')]), sys.stdout, indent=1)"

# JupyterLab on the notebooks (README, "Working in JupyterLab"). lab-setup registers the
# "Python (framing)" kernel inside .venv (never in your home directory) and makes a double-click
# on a .py in notebooks/ open it as a notebook (jupytext; pairing in notebooks/jupytext.toml).
# LAB_ARGS go to `jupyter lab`, e.g. make lab LAB_ARGS="--no-browser --port=8890" (as root: --allow-root).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_ARGS ?=

lab-setup: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name framing --display-name "Python (framing)"
	@mkdir -p $(LAB_SETTINGS)
	cp tools/lab/overrides.json $(LAB_SETTINGS)/overrides.json

lab-check: lab-setup
	$(PY) -m pytest -p no:cacheprovider -q tests/test_lab.py

lab: lab-setup
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

clean-venv:
	rm -rf $(VENV)
