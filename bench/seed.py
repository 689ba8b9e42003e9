"""Seed a migrated database with N filed applications in plain SQL (a million in well under a minute):
each with notice version 1, its filing transition, its notice (already sent) and its pending reminder and
expiry timers, as `smsbot import` and the API leave them once the worker has run. Application i has phone
`phone(i)`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

NOTICE = (
    "【示例农商银行】张*您好，您8月3日10:15提交的5万元贷款申请已受理，审核中。无误回1，需更正回2。客服95XXX，回T退订"
)


def phone(i: int) -> str:
    return f"+86139{i:08d}"


_PG = [
    """INSERT INTO applications (external_id, request_fingerprint, name, phone, locale, amount_minor, currency,
        term_months, purpose, submitted_at, state, reprompts, notice_version, created_at, updated_at)
       SELECT 'bench-' || i, md5(i::text) || md5(i::text), '张三', '+86139' || lpad(i::text, 8, '0'),
        CASE WHEN mod(i, 4) = 0 THEN 'en' ELSE 'zh-CN' END, 5000000, 'CNY', 12, '养殖', now(),
        'awaiting_confirmation', 0, 1, now(), now()
       FROM generate_series(1, %(n)s) AS i""",
    """INSERT INTO notice_versions (application_id, version, name, amount_minor, currency, term_months, purpose,
        created_at) SELECT id, 1, name, amount_minor, currency, term_months, purpose, now() FROM applications""",
    """INSERT INTO transitions (application_id, event, from_state, to_state, cause, created_at)
       SELECT id, 'file', '', 'awaiting_confirmation', 'api', now() FROM applications""",
    """INSERT INTO messages (application_id, direction, phone, body, kind, status, provider_sid, priority,
        send_after, attempts, created_at, updated_at, sent_at)
       SELECT id, 'out', phone, %(notice)s, 'notice', 'delivered', 'SMseed' || lpad(id::text, 32, '0'), 10,
        now(), 1, now(), now(), now() FROM applications""",
    """INSERT INTO timers (application_id, kind, due_at, status, created_at)
       SELECT id, kind, now() + due, 'pending', now() FROM applications
       CROSS JOIN (VALUES ('reminder', interval '1 day'), ('expire', interval '3 days')) AS t(kind, due)""",
    # Vacuumed as a live database would be: else autovacuum wakes on the freshly loaded tables mid-measurement.
    "VACUUM ANALYZE",
]


def seed_pg(url: str, n: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in _PG:
            conn.execute(statement, {"n": n, "notice": NOTICE} if "%(" in statement else None)


_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
_SQLITE = [
    f"""WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n)
       INSERT INTO applications (external_id, request_fingerprint, name, phone, locale, amount_minor, currency,
        term_months, purpose, submitted_at, state, reprompts, notice_version, created_at, updated_at)
       SELECT 'bench-' || i, printf('%064d', i), '张三', '+86139' || printf('%08d', i),
        CASE WHEN mod(i, 4) = 0 THEN 'en' ELSE 'zh-CN' END, 5000000, 'CNY', 12, '养殖', {_SQLITE_NOW},
        'awaiting_confirmation', 0, 1, {_SQLITE_NOW}, {_SQLITE_NOW} FROM s""",
    f"""INSERT INTO notice_versions (application_id, version, name, amount_minor, currency, term_months, purpose,
        created_at) SELECT id, 1, name, amount_minor, currency, term_months, purpose, {_SQLITE_NOW}
        FROM applications""",
    f"""INSERT INTO transitions (application_id, event, from_state, to_state, cause, created_at)
       SELECT id, 'file', '', 'awaiting_confirmation', 'api', {_SQLITE_NOW} FROM applications""",
    f"""INSERT INTO messages (application_id, direction, phone, body, kind, status, provider_sid, priority,
        send_after, attempts, created_at, updated_at, sent_at)
       SELECT id, 'out', phone, :notice, 'notice', 'delivered', 'SMseed' || printf('%032d', id), 10,
        {_SQLITE_NOW}, 1, {_SQLITE_NOW}, {_SQLITE_NOW}, {_SQLITE_NOW} FROM applications""",
    f"""INSERT INTO timers (application_id, kind, due_at, status, created_at)
       SELECT id, kind, strftime('%Y-%m-%d %H:%M:%f000', 'now', due), 'pending', {_SQLITE_NOW} FROM applications
       CROSS JOIN (SELECT 'reminder' AS kind, '+1 day' AS due UNION ALL SELECT 'expire', '+3 days')""",
    "ANALYZE",
]


def seed_sqlite(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            for statement in _SQLITE:
                conn.execute(statement, {"n": n, "notice": NOTICE})
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def seed(url: str, n: int) -> None:
    if url.startswith("sqlite:///"):
        seed_sqlite(Path(url.removeprefix("sqlite:///")), n)
    else:
        seed_pg(url, n)
