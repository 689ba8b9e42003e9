"""Engines and sessions. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE so writers queue instead of
failing; PostgreSQL gets a pool that is recycled, and pinged only after a connection sat idle. Query helpers
never commit: the service that owns a unit of work opens `session.begin()` itself."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Connection, Engine, Select, any_, bindparam, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A statement's parameters are phones, names and message bodies: SQLAlchemy must not print them into the
# error text (`[parameters: ...]`), which ends up in every log line and traceback of a database error.
HIDE_PARAMETERS = True


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for `url` with the settings each dialect needs for safe concurrent writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # A connection that died with the server (a restart, a failover, an administrator ending backends) must be
    # found and replaced at checkout, before a request uses it: otherwise the first request of each process
    # meets it and answers 500, and Twilio does not retry an inbound webhook by default, so that reply is lost.
    # SQLAlchemy's pre-ping would cost every request a round trip (the webhook fell below half its floor), so
    # only a connection idle for IDLE_PING_SECONDS is pinged: under load none is, and a restart under load
    # costs only the requests in flight. Recycling bounds the age of idle connections behind firewalls.
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800, hide_parameters=HIDE_PARAMETERS
    )
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


IDLE_PING_SECONDS = 1.0


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """SQLAlchemy's documented custom pessimistic check: a DisconnectionError here makes the pool drop this
    connection and hand out a fresh one (it retries a few times)."""
    checked_in = record.info.get("checked_in_at")
    if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()  # the ping opened a transaction on the driver; leave it as it was
    except Exception as exc:  # any failure means the connection is unusable
        raise DisconnectionError() from exc


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=HIDE_PARAMETERS
    )

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


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def for_update(session: Session, query: Select[Any]) -> Select[Any]:
    """Add a row lock on PostgreSQL; SQLite needs none because BEGIN IMMEDIATE already holds the write lock."""
    return query if is_sqlite(session.get_bind()) else query.with_for_update()


def one_of(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL as one array parameter (`= ANY(...)`): the statement then has one
    text whatever the number of values, which the driver parses once, instead of a placeholder per value
    rendered, parsed and bound on every call (the worker's claims and records name hundreds of rows)."""
    if is_sqlite(session.get_bind()):
        return column.in_(list(values))
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


class WriterGate:
    """The queue in front of SQLite's single write lock.

    SQLite's busy handler makes a waiting writer sleep and retry, napping up to 100 ms at a time, and those naps
    are a webhook's tail latency under load. Here the writers of one process queue on a lock and processes on an
    flock of a file beside the database, so the next writer starts the moment the last one commits. It only
    orders writers: one that bypasses it (a shell, a migration) still meets the busy timeout."""

    def __init__(self, database: str) -> None:
        self._path = database + "-writer.lock"
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a child must never inherit a held lock

    def _reset(self) -> None:
        self._turn = threading.RLock()
        self._file_depth = 0
        self._fd: int | None = None

    def turn(self) -> AbstractContextManager[bool]:
        """This process's turn only, without the file lock: for work that leads up to a write."""
        return self._turn

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._turn:
            self._file_depth += 1
            try:
                if self._file_depth == 1:
                    fcntl.flock(self._file(), fcntl.LOCK_EX)  # blocks without the GIL
                yield
            finally:
                self._file_depth -= 1
                if self._file_depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd


_GATES: dict[str, WriterGate] = {}
_GATES_LOCK = threading.Lock()


def _gate(engine: Engine | Connection) -> WriterGate | None:
    database = engine.engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    with _GATES_LOCK:
        return _GATES.get(database) or _GATES.setdefault(database, WriterGate(database))


def writer_gate(engine: Engine | Connection) -> AbstractContextManager[Any]:
    """Hold SQLite's writer queue (see `WriterGate`); PostgreSQL locks rows, so there is nothing to queue."""
    gate = _gate(engine)
    return gate.held() if gate else nullcontext()


def writer_turn(engine: Engine | Connection) -> AbstractContextManager[Any]:
    """SQLite: this process's writers one at a time, from before a write is prepared until it commits.

    In-process SQLite work barely waits on I/O, so threads gain nothing by running it side by side; they only
    take the GIL from the thread holding the write lock, between every statement. Queued, the holder runs
    alone and the file lock is held for the statements alone. PostgreSQL: nothing to queue."""
    gate = _gate(engine)
    return gate.turn() if gate else nullcontext()


def lock_keys(session: Session, keys: list[str]) -> None:
    """Serialise transactions about the same keys (provider sids) until commit, taking the locks in one
    statement and in sorted order (so two holders of overlapping sets never deadlock). SQLite's write lock
    already serialises everything."""
    if keys and not is_sqlite(session.get_bind()):
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
    with writer_gate(factory.kw["bind"]), factory() as session, session.begin():
        yield session


def violates_unique(exc: BaseException, table: str, column: str) -> bool:
    """Whether `exc` is the unique constraint on `table.column` refusing a row: the one integrity error that
    means "someone stored this first" and may be answered as a retry. Any other is a fault and must surface.
    PostgreSQL names the constraint (the naming convention in models.base), SQLite names the column."""
    message = str(getattr(exc, "orig", exc))
    return f"uq_{table}_{column}" in message or f"{table}.{column}" in message
