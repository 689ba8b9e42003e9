"""The webhook floor: a bare WSGI callable (no Flask, no ORM) doing the database work of one inbound reply
with the raw driver, in one transaction: lock the application by its indexed phone, insert the inbound row,
update the state, insert one outbound row and one transition row, answer the same TwiML.

gunicorn app spec: `bench.floor_app:make_app()`, database from BENCH_DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import psycopg

TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
REPLY = "【示例农商银行】已收到您的确认，申请正在审核中，结果将短信告知。本行不会索要密码或要求转账。客服95XXX"

PG_WORK = [
    "SELECT id, state FROM applications WHERE phone = %(phone)s AND state <> 'closed' "
    "ORDER BY id DESC LIMIT 1 FOR UPDATE",
    "INSERT INTO messages (application_id, direction, phone, body, kind, status, provider_sid, priority, "
    "send_after, attempts, created_at, updated_at) VALUES (%(app)s, 'in', %(phone)s, %(body)s, 'reply', "
    "'received', %(sid)s, 0, now(), 0, now(), now()) RETURNING id",
    "UPDATE applications SET state = %(state)s, reprompts = 0, updated_at = now() WHERE id = %(app)s",
    "INSERT INTO messages (application_id, direction, phone, body, kind, status, priority, send_after, "
    "attempts, created_at, updated_at) VALUES (%(app)s, 'out', %(phone)s, %(reply)s, "
    "'confirmation_received', 'queued', 0, now(), 0, now(), now())",
    "INSERT INTO transitions (application_id, event, from_state, to_state, cause, cause_id, created_at) "
    "VALUES (%(app)s, 'do_confirm', %(state)s, %(state)s, 'message', %(message)s, now())",
]
SQLITE_WORK = [statement.replace("FOR UPDATE", "") for statement in PG_WORK]
SQLITE_WORK = [statement.replace("now()", ":now").replace("%(", ":").replace(")s", "") for statement in SQLITE_WORK]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def handle_pg(conn: psycopg.Connection, params: dict[str, Any]) -> None:
    with conn.transaction():
        row = conn.execute(PG_WORK[0], params).fetchone()
        if row is None:
            return
        params |= {"app": row[0], "state": row[1]}
        params["message"] = conn.execute(PG_WORK[1], params).fetchone()[0]  # type: ignore[index]
        for statement in PG_WORK[2:]:
            conn.execute(statement, params)


def handle_sqlite(conn: sqlite3.Connection, params: dict[str, Any]) -> None:
    params["now"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.execute("BEGIN IMMEDIATE")  # what smsbot does: take the write lock first
    try:
        row = conn.execute(SQLITE_WORK[0], params).fetchone()
        if row is not None:
            params |= {"app": row[0], "state": row[1]}
            params["message"] = conn.execute(SQLITE_WORK[1], params).fetchone()[0]
            for statement in SQLITE_WORK[2:]:
                conn.execute(statement, params)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _connect_sqlite(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def make_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    url = os.environ["BENCH_DATABASE_URL"]
    local = threading.local()  # one connection per gthread thread, as a pool would hand out
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        connect: Callable[[], Any] = lambda: _connect_sqlite(path)  # noqa: E731
        handle: Callable[[Any, dict[str, Any]], None] = handle_sqlite
    else:
        connect, handle = lambda: psycopg.connect(url), handle_pg

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(size).decode())
        params = {"sid": form["MessageSid"][0], "phone": form["From"][0], "body": form.get("Body", [""])[0]}
        if not hasattr(local, "conn"):
            local.conn = connect()
        handle(local.conn, params | {"reply": REPLY})
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(TWIML)))])
        return [TWIML]

    return app
