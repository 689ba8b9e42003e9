"""What the fuzz tests share: how many examples to run, and a snapshot of every table to prove a refusal
changed nothing. `make test` runs a bounded number; `make fuzz` sets SMSBOT_FUZZ_EXAMPLES higher."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, func, select

from smsbot.models import metadata

EXAMPLES = int(os.environ.get("SMSBOT_FUZZ_EXAMPLES", "75"))
# One database for all examples of a test: the app is built once per test, and examples accumulate rows.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example store in the work tree; failures print their reproduction
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def snapshot(engine: Engine) -> dict[str, int]:
    """Row count of every table: what a refused request must leave as it was."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in metadata.sorted_tables
        }
