"""Promise 9 when things go wrong: a real database error, with its traceback, never writes a full phone, a name
or a message body into the log."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.db import is_sqlite
from smsbot.dependencies import Runtime
from smsbot.logs import MaskPhones, configure_logging
from tests.factories import AUTH, application_payload, file, send_sms

NAME = "司马相如"
BODY = "secret-body-words 金额应该是六万"


@contextmanager
def refused(engine: Engine, table: str, condition: str, *, check: bool) -> Iterator[None]:
    """Make the database itself refuse rows of `table` matching `condition` and take the refusal away afterwards:
    a CHECK constraint (PostgreSQL then quotes the failing row in its detail), or else a trigger whose statement
    fails as a server error that is not an integrity error (a filing takes those for a lost race)."""
    where = condition.replace("NEW_", "NEW.")
    if is_sqlite(engine):
        fail = "SELECT RAISE(ABORT, 'refused by test')" if check else "SELECT json('refused by test')"
        create = [f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN {where} BEGIN {fail}; END"]
        drop = [f"DROP TRIGGER refuse_{table}"]
    elif check:
        create = [f"ALTER TABLE {table} ADD CONSTRAINT refuse_{table} CHECK (NOT ({condition.replace('NEW_', '')}))"]
        drop = [f"ALTER TABLE {table} DROP CONSTRAINT refuse_{table}"]
    else:
        create = [
            "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$",
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW WHEN ({where})"
            " EXECUTE FUNCTION refuse_row()",
        ]
        drop = [f"DROP TRIGGER refuse_{table} ON {table}", "DROP FUNCTION refuse_row()"]
    _run(engine, create)
    try:
        yield
    finally:
        _run(engine, drop)


def _run(engine: Engine, statements: list[str]) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


@contextmanager
def captured_log() -> Iterator[io.StringIO]:
    """What a production process writes: a root handler with the production format (create_app masks it)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_a_database_error_logs_neither_the_phone_nor_the_name_nor_the_body(settings: Settings, rt: Runtime) -> None:
    with captured_log() as log:
        app = create_app(settings, rt=rt)  # not TESTING: a failing request is logged as production logs it
        client = app.test_client()
        phone = file(client, applicant={"name": "欧阳娜娜"})["applicant"]["phone"]
        with refused(rt.engine, "messages", "NEW_body LIKE '%secret-body-words%'", check=True):
            assert send_sms(client, phone, BODY).status_code == 500
        payload = application_payload(applicant={"name": NAME})
        with refused(rt.engine, "applications", f"NEW_name = '{NAME}'", check=False):
            assert client.post("/api/v1/applications", json=payload, headers=AUTH).status_code == 500
    logged = log.getvalue()
    assert logged.count("Traceback") >= 2 and "refuse" in logged  # both errors were logged, with their stacks
    for secret in (phone, phone[1:], phone[3:], payload["applicant"]["phone"][3:], NAME, "欧阳娜娜", "secret-body"):
        assert secret not in logged


def test_an_exception_logged_anywhere_has_its_text_and_stack_masked() -> None:
    try:
        raise ValueError("cannot send to +8613800138000: Failing row contains (1, 张三, +8613800138000, body)")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    record.stack_info = "Stack (most recent call last):\n  to=13800138000"
    MaskPhones().filter(record)
    written = logging.Formatter().format(record)
    assert "13800138000" not in written and "张三" not in written and "body)" not in written
    assert "138****8000" in written and "Failing row contains (hidden)" in written


def test_gunicorns_own_log_handlers_mask_too() -> None:
    # gunicorn sets up its loggers (which do not propagate) before it loads the app.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    gunicorn_error = logging.getLogger("gunicorn.error")
    gunicorn_error.addHandler(handler)
    try:
        configure_logging()
        gunicorn_error.error("worker failed on %s", "+8613800138000", exc_info=ValueError("to 13800138000"))
    finally:
        gunicorn_error.removeHandler(handler)
    assert "13800138000" not in stream.getvalue() and "138****8000" in stream.getvalue()
