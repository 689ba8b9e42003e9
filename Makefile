# One entry point for people and CI. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-pg check format bench diagram clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/smsbot db upgrade
	$(BIN)/smsbot serve --host 127.0.0.1 --port 5000

# The whole suite: SQLite always; PostgreSQL when SMSBOT_TEST_POSTGRES_URL is set (CI sets it and requires it).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

diagram: $(STAMP)
	$(BIN)/smsbot diagram

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
