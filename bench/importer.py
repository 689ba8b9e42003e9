"""Bulk import: `smsbot import FILE.csv` of N applications into an empty PostgreSQL database, beside a bare
batched INSERT of the same rows with the raw driver (the application, its notice version, its filing
transition, its queued notice and its reminder and expiry timers: what the import stores), 500 applications
per transaction."""

from __future__ import annotations

import csv
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from bench.common import OUT, PREFIX, ROOT, Profile, child_env, create_pg, drop_pg, median, migrate, pg_url, python
from bench.seed import NOTICE, phone
from smsbot.intake.bulk_import import COLUMNS

BATCH = 500
TEMPLATE = PREFIX + "import_empty"


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(1, rows + 1):
            locale = "en" if i % 4 == 0 else "zh-CN"
            name = "Li Lei" if locale == "en" else "张三"
            writer.writerow(
                [
                    f"imp-{i}",
                    name,
                    phone(i),
                    locale,
                    f"{5000 + i % 900 * 100}",
                    str(6 + i % 30),
                    "养殖",
                    "2026-08-03T10:15:00+08:00",
                ]
            )
    return path


def smsbot_rate(source: Path, rows: int) -> float:
    url = create_pg(PREFIX + "import_run", template=TEMPLATE)
    try:
        started = time.perf_counter()
        subprocess.run(
            [python(), "-m", "smsbot.cli", "import", str(source), "--report", str(OUT / "import.rejected.csv")],
            cwd=ROOT,
            env=child_env(DATABASE_URL=url),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return rows / (time.perf_counter() - started)
    finally:
        drop_pg(PREFIX + "import_run")


APP = (
    "INSERT INTO applications (external_id, request_fingerprint, name, phone, locale, amount_minor, currency, "
    "term_months, purpose, submitted_at, state, reprompts, notice_version, created_at, updated_at) VALUES "
)
APP_ROW = "(%s, %s, %s, %s, %s, %s, 'CNY', %s, %s, %s, 'awaiting_confirmation', 0, 1, now(), now())"
CHILDREN = [
    "INSERT INTO notice_versions (application_id, version, name, amount_minor, currency, term_months, purpose, "
    "created_at) VALUES (%(id)s, 1, %(name)s, %(amount)s, 'CNY', %(term)s, %(purpose)s, now())",
    "INSERT INTO transitions (application_id, event, from_state, to_state, cause, created_at) "
    "VALUES (%(id)s, 'file', '', 'awaiting_confirmation', 'api', now())",
    "INSERT INTO messages (application_id, direction, phone, body, kind, status, priority, send_after, attempts, "
    "created_at, updated_at) VALUES (%(id)s, 'out', %(phone)s, %(body)s, 'notice', 'queued', 10, now(), 0, "
    "now(), now())",
    "INSERT INTO timers (application_id, kind, due_at, status, created_at) "
    "VALUES (%(id)s, 'reminder', now() + interval '1 day', 'pending', now())",
    "INSERT INTO timers (application_id, kind, due_at, status, created_at) "
    "VALUES (%(id)s, 'expire', now() + interval '3 days', 'pending', now())",
]


def floor_rate(source: Path, rows: int) -> float:
    url = create_pg(PREFIX + "import_run", template=TEMPLATE)
    try:
        started = time.perf_counter()
        with psycopg.connect(url) as conn, source.open(encoding="utf-8", newline="") as csv_file:
            reader = csv.reader(csv_file)
            next(reader)
            batch: list[list[str]] = []
            for record in reader:
                batch.append(record)
                if len(batch) == BATCH:
                    _insert(conn, batch)
                    batch = []
            if batch:
                _insert(conn, batch)
        return rows / (time.perf_counter() - started)
    finally:
        drop_pg(PREFIX + "import_run")


def _insert(conn: psycopg.Connection, batch: list[list[str]]) -> None:
    values: list[Any] = []
    for external_id, name, phone_, locale, amount, term, purpose, submitted in batch:
        values += [external_id, "0" * 64, name, phone_, locale, int(Decimal(amount) * 100), int(term), purpose]
        values.append(submitted)
    with conn.transaction():
        ids = conn.execute(APP + ", ".join([APP_ROW] * len(batch)) + " RETURNING id", values).fetchall()
        children = [
            {"id": row[0], "name": r[1], "amount": int(Decimal(r[4]) * 100), "term": int(r[5]), "purpose": r[6]}
            | {"phone": r[2], "body": NOTICE}
            for row, r in zip(ids, batch, strict=True)
        ]
        with conn.cursor() as cursor:
            for statement in CHILDREN:
                cursor.executemany(statement, children)


def run(profile: Profile) -> dict[str, Any]:
    rows = profile.import_rows
    source = write_csv(OUT / "import.csv", rows)
    create_pg(TEMPLATE)
    migrate(pg_url(TEMPLATE))
    smsbot, floor = [], []
    try:
        for _ in range(profile.repeats):
            smsbot.append(smsbot_rate(source, rows))
            floor.append(floor_rate(source, rows))
    finally:
        drop_pg(TEMPLATE)
    return {
        "import": {
            "rows_per_s": round(median(smsbot), 1),
            "floor_rows_per_s": round(median(floor), 1),
            "ratio": round(median([s / f for s, f in zip(smsbot, floor, strict=True)]), 3),
            "rows": rows,
        }
    }
