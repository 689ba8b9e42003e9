"""An integrity error other than "this key is already stored" is a fault: it surfaces (a 500 and a logged
traceback in production) and changes nothing. It is never answered as a retry (200) or a conflict (409),
which would tell the lender a filing or a decision exists when none was stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from smsbot.dependencies import Runtime
from smsbot.models import Application, DecisionRecord
from tests.factories import AUTH, application_payload, file


@pytest.fixture
def refuse_inserts(rt: Runtime) -> Iterator[Callable[[str], None]]:
    """Make every insert into a table fail with an integrity error that names no unique key (undone after
    the test: the PostgreSQL database outlives it)."""
    refused: list[str] = []

    def refuse(table: str) -> None:
        refused.append(table)
        with rt.engine.begin() as conn:
            conn.execute(text(_REFUSE[conn.dialect.name].format(table=table)))

    yield refuse
    with rt.engine.begin() as conn:
        for table in refused:
            conn.execute(text(_ALLOW[conn.dialect.name].format(table=table)))


_REFUSE = {
    "sqlite": "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END",
    "postgresql": "ALTER TABLE {table} ADD CONSTRAINT ck_{table}_refused CHECK (id < 0) NOT VALID",
}
_ALLOW = {
    "sqlite": "DROP TRIGGER refuse_{table}",
    "postgresql": "ALTER TABLE {table} DROP CONSTRAINT ck_{table}_refused",
}


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_filing_refused_by_another_constraint_surfaces_and_stores_nothing(
    client: FlaskClient, rt: Runtime, refuse_inserts: Callable[[str], None]
) -> None:
    refuse_inserts("notice_versions")
    with pytest.raises(IntegrityError):
        client.post("/api/v1/applications", json=application_payload(), headers=AUTH)
    assert _count(rt, Application) == 0


def test_a_decision_refused_by_another_constraint_surfaces_and_stores_nothing(
    client: FlaskClient, rt: Runtime, refuse_inserts: Callable[[str], None]
) -> None:
    app = file(client)
    refuse_inserts("transitions")
    with pytest.raises(IntegrityError):
        client.post(
            f"/api/v1/applications/{app['id']}/decisions",
            json={"decision_id": "d-1", "status": "approved"},
            headers=AUTH,
        )
    assert _count(rt, DecisionRecord) == 0
