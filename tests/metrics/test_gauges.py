"""The database gauges: the same figures as a full count, read from an index and stopped at a cap."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from smsbot.dependencies import Runtime
from smsbot.metrics.gauges import GAUGE_CAP, capped_counts
from smsbot.models import Application, Message
from tests.factories import file, send_sms


def test_a_gauge_counts_up_to_its_cap_and_no_further(client: FlaskClient, rt: Runtime) -> None:
    for _ in range(3):
        file(client)
    pairs = [(col(Application.state), "awaiting_confirmation"), (col(Application.state), "confirmed")]
    with rt.sessions() as session:
        assert tuple(session.execute(capped_counts(pairs)).one()) == (3, 0)
        assert tuple(session.execute(capped_counts(pairs, cap=2)).one()) == (2, 0)


def test_the_gauges_read_every_state_and_status_with_zeros_included(client: FlaskClient, rt: Runtime) -> None:
    send_sms(client, file(client)["applicant"]["phone"], "1")
    text_ = client.get("/metrics").get_data(as_text=True)
    assert 'smsbot_applications{state="confirmed"} 1.0' in text_
    assert 'smsbot_applications{state="closed"} 0.0' in text_
    assert 'smsbot_outbound_messages{status="queued"} 2.0' in text_
    assert 'smsbot_outbound_messages{status="received"}' not in text_  # the inbound status is not outbound
    assert f"(counted up to {GAUGE_CAP})" in text_


def test_each_gauge_is_an_index_range_scan_not_a_table_scan(rt: Runtime) -> None:
    """The plan of the scrape's statement: every count reads an index, none scans a table (at a million rows
    the planner has no cheaper way; on the empty test tables PostgreSQL is told so)."""
    pairs = [(col(Application.state), "confirmed"), (col(Message.status), "queued")]
    dialect = rt.engine.dialect.name
    compiled = capped_counts(pairs).compile(
        dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
        compile_kwargs={"literal_binds": True},
    )
    with rt.engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
            assert "Seq Scan" not in plan
        else:
            plan = "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "SCAN applications" not in plan and "SCAN messages" not in plan
    assert "ix_applications_state" in plan and "ix_messages_outbox" in plan, plan
