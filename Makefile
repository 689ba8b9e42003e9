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

# A few minutes: wrk from Debian when missing, profilers into the venv (not package dependencies), then every
# section (`$(BIN)/python -m bench webhook` runs one; `--quick` is a smoke run). PostgreSQL as for the tests.
bench: $(STAMP)
	command -v wrk >/dev/null 2>&1 || { sudo=$$(command -v sudo || true); \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || \
	  { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }; }
	$(BIN)/pip install --quiet py-spy==0.4.1 pyinstrument==5.1.3
	$(BIN)/python -m bench $(BENCH_ARGS)

diagram: $(STAMP)
	$(BIN)/smsbot diagram

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
