# Pilotage SPPE: the two commands of the README.
#   make run   set up, generate the demo data if there is none, start the app on :8501
#   make test  set up (with test tools and Chromium), lint, run every test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test setup setup-dev chromium demo lint format bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime

setup-dev: $(VENV)/.dev

chromium:
	@bash scripts/ensure_chromium.sh

demo: setup
	$(BIN)/python -m sppe_data demo --if-empty

run: setup chromium demo
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup-dev chromium lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m sppe_data bench

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
