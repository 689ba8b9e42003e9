# One entry point for people and CI. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-sqlite test-pg fuzz check format bench diagram clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A laptop demo should not wait for 08:00 to show its first notice; production keeps the 08:00-21:00 default.
run: $(STAMP)
	$(BIN)/smsbot db upgrade
	SMSBOT_NOTICE_HOURS=$${SMSBOT_NOTICE_HOURS:-00:00-24:00} SMSBOT_REMINDER_HOURS=$${SMSBOT_REMINDER_HOURS:-00:00-24:00} \
		$(BIN)/smsbot serve --host 127.0.0.1 --port 5000

# The whole suite: SQLite always; PostgreSQL when SMSBOT_TEST_POSTGRES_URL is set (CI sets it and requires it).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The API (from its OpenAPI document) and the signed webhooks fuzzed at length; `make test` runs a short round.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	SMSBOT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 2 --dist loadfile \
		tests/web/test_api_fuzz.py tests/web/test_webhook_fuzz.py $(PYTEST_ARGS)

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
