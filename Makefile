# Pilotage SPPE: the two commands of the README.
#   make run   set up, migrate the store, generate the demo data if there is none, start the
#              app in demo mode on 127.0.0.1:8501 (ADDRESS=0.0.0.0 to reach it from elsewhere)
#   make test  set up (with test tools, Chromium and PostgreSQL), lint, run every test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test setup setup-dev chromium postgres oidc-provider deploy-tools demo lint format bench clean

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

# nginx and systemd-analyze: the checks of deploy/ (tests/test_deploy.py).
deploy-tools:
	@bash scripts/ensure_deploy_tools.sh

# Server binaries only: the tests start their own throwaway cluster.
postgres:
	@bash scripts/ensure_postgres.sh

# The OpenID Connect provider of the oidc sign-in browser test: an npm package, pinned by
# tests/oidc/package-lock.json. Without Node.js and npm the test is skipped (fails in CI).
OIDC_DIR := tests/oidc
oidc-provider: $(OIDC_DIR)/node_modules/.package-lock.json

$(OIDC_DIR)/node_modules/.package-lock.json: $(OIDC_DIR)/package.json $(OIDC_DIR)/package-lock.json
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  cd $(OIDC_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
	  echo "Node.js ou npm absent : le test de connexion OIDC sera IGNORÉ (apt-get install nodejs npm)." >&2; \
	  test -z "$$CI"; \
	fi

demo: setup
	$(BIN)/python -m sppe_data demo --if-empty

# Sign-in fails closed without a mode: the demo asks for the demo mode explicitly.
run: setup chromium
	$(BIN)/python -m sppe_data migrate
	$(BIN)/python -m sppe_data demo --if-empty
	SPPE_AUTH_MODE=demo $(BIN)/python -m sppe_data serve --port $(PORT) --address $(ADDRESS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup-dev chromium postgres oidc-provider deploy-tools lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m sppe_data bench

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
