"""Engines and sessions. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE so writers queue instead of
failing; PostgreSQL gets a pool that is recycled, not pinged. Query helpers never commit: the service that owns a
unit of work opens `session.begin()` itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for `url` with the settings each dialect needs for safe concurrent writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # No pre-ping: it costs every request a round trip. A connection that died with the server raises a
    # disconnect error, which invalidates the whole pool at once, so only the request that met it fails (and
    # Twilio retries webhooks); recycling bounds the age of idle connections behind firewalls.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred BEGIN upgrades to a write lock mid-transaction and fails with "database is locked"
        # under contention; IMMEDIATE takes the lock up front, so concurrent writers wait their turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def for_update(session: Session, query: Select[Any]) -> Select[Any]:
    """Add a row lock on PostgreSQL; SQLite needs none because BEGIN IMMEDIATE already holds the write lock."""
    return query if is_sqlite(session.get_bind()) else query.with_for_update()  # type: ignore[arg-type]


def lock_keys(session: Session, keys: list[str]) -> None:
    """Serialise transactions about the same keys (provider sids) until commit, taking the locks in one
    statement and in sorted order (so two holders of overlapping sets never deadlock). SQLite's write lock
    already serialises everything."""
    if keys and not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(hashtext(k))"
                " FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS sorted"
            ),
            {"keys": sorted(set(keys))},
        )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception, always close."""
    with factory() as session, session.begin():
        yield session
