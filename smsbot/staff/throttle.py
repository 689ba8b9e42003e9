"""The slow-down after failed logins, chosen to make guessing slow without letting a stranger lock staff out
for long:
- per account: the first 3 failures in a row are free; each further failure locks the account for 2, 4, 8 ...
  seconds, capped at 15 minutes (`locked_until` on the row). A success resets the count.
- per client address: the same rule with 10 free failures (`login_throttles`), so spraying one password over
  many usernames slows down too. A success forgives only the failures this address had on that same account
  (`login_throttle_accounts`), so logging in to one's own account does not wipe the count of guesses at others.
- every failure also costs the caller a fixed pause in the web layer (see web/staff_auth.py).
While locked, even the right password is refused, and the answer says how long to wait.

Parallel guesses get no more than guesses in a row: each attempt is counted as a failure *before* its password
is checked, with one conditional UPDATE ... RETURNING per counter (`WHERE not locked`), so concurrent attempts
queue on the row and each sees the counts of those before it; the one that goes past the free failures sets the
lock in the same transaction. The slow hash check runs after that transaction, holding no lock; a success then
takes its count back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from smsbot.db import for_update, is_sqlite
from smsbot.models import LoginThrottle, LoginThrottleAccount, StaffUser

ACCOUNT_FREE_FAILURES = 3
ADDRESS_FREE_FAILURES = 10
MAX_LOCK = timedelta(minutes=15)


class Locked(Exception):
    """The address or the account is locked: try again in `retry_after` seconds. Nothing was counted."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def admit_attempt(session: Session, address: str, staff_id: int | None, *, now: datetime) -> None:
    """Count a login attempt as failed, on the address and (when the username exists) the account, before its
    password is checked. Raises Locked when either is locked; the caller's transaction then rolls back."""
    session.execute(_insert(session, LoginThrottle).values(address=address, failures=0).on_conflict_do_nothing())
    by_address = col(LoginThrottle.address) == address
    _count(session, LoginThrottle, by_address, col(LoginThrottle.failures), ADDRESS_FREE_FAILURES, now=now)
    if staff_id is None:
        return
    by_id = col(StaffUser.id) == staff_id
    _count(session, StaffUser, by_id, col(StaffUser.failed_logins), ACCOUNT_FREE_FAILURES, now=now)
    share = _insert(session, LoginThrottleAccount).values(address=address, staff_id=staff_id, failures=1)
    failures = LoginThrottleAccount.__table__.c.failures  # type: ignore[attr-defined]
    session.execute(
        share.on_conflict_do_update(index_elements=["address", "staff_id"], set_={"failures": failures + 1})
    )


def forgive(session: Session, address: str, staff_id: int) -> None:
    """After a successful login: the account starts afresh, and the address forgets the failures it counted on
    this account (this attempt's own included), and no others."""
    query = for_update(session, select(LoginThrottle).where(col(LoginThrottle.address) == address))
    throttle = session.execute(query).scalar_one()
    share = session.get(LoginThrottleAccount, (address, staff_id))  # its writers all lock the address row first
    if share is not None:
        throttle.failures = max(0, throttle.failures - share.failures)
        session.delete(share)
    if throttle.failures <= ADDRESS_FREE_FAILURES:
        throttle.locked_until = None
    reset = update(StaffUser).where(col(StaffUser.id) == staff_id).values(failed_logins=0, locked_until=None)
    session.execute(reset.execution_options(synchronize_session=False))


def _count(session: Session, model: Any, where: ColumnElement[bool], counter: Any, free: int, *, now: datetime) -> None:
    """One more failure on the row unless it is locked; past the free ones, lock it (before anyone checks)."""
    locked_until = col(model.locked_until)
    query = (
        update(model)
        .where(where, or_(locked_until.is_(None), locked_until <= now))
        .values({counter: counter + 1})
        .returning(counter)
        .execution_options(synchronize_session=False)
    )
    count = session.execute(query).scalar_one_or_none()
    if count is None:
        until = session.execute(select(locked_until).where(where)).scalar_one()
        raise Locked(max(1, int((until - now).total_seconds() + 0.999)))
    if count > free:
        lock = update(model).where(where).values(locked_until=lock_until(count, free, now))
        session.execute(lock.execution_options(synchronize_session=False))


def lock_until(failures: int, free: int, now: datetime) -> datetime | None:
    """When the row is free again after `failures` in a row: 2, 4, 8 ... seconds past the free ones, capped."""
    if failures <= free:
        return None
    seconds = min(2 ** min(failures - free, 20), MAX_LOCK.total_seconds())
    return now + timedelta(seconds=seconds)


def _insert(session: Session, model: Any) -> Any:
    """INSERT with ON CONFLICT in the session's dialect."""
    return sqlite_insert(model) if is_sqlite(session.get_bind()) else postgresql_insert(model)
