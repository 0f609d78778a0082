# smdb-web: `make run` starts the app with demo data; `make test` runs every check and test.
PYTHON ?= python3
# `make run PORT=8301`: the app, and the SMDB simulator it embeds, on another port.
PORT   ?= 8000
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run sso-demo test bench bench-load install lint simulator

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo $(if $(PASSWORD),--password $(PASSWORD))
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The demo with single sign-on: the local OpenID Provider (tests/oidc/provider, npm
# package oidc-provider) on 127.0.0.1:9700 beside the app; myndighed 101 signs in there.
# Accounts: tests/oidc/provider/demo.json. Stops the provider when runserver stops.
sso-demo: $(STAMP)
	cd tests/oidc/provider && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p var && test -s var/demo-field-key || $(BIN)/python -c \
	  'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > var/demo-field-key
	set -e; export FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-$$(cat var/demo-field-key)}"; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py seed_demo --sso http://127.0.0.1:9700 $(if $(PASSWORD),--password $(PASSWORD)); \
	node tests/oidc/provider/provider.js tests/oidc/provider/demo.json & provider=$$!; \
	trap 'kill $$provider' EXIT; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only

# 50 caseworkers for 2 minutes through gunicorn (compose's command), Caddy and PostgreSQL.
bench-load: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smdb_web} \
		$(BIN)/pytest benchmarks/test_bench_load.py --benchmark-only -s

simulator: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py run_smdb_simulator --port 8100
