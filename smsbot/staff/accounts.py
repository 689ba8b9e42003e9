"""Staff accounts: creation, argon2id password checks and the slow-down after failed logins.

Throttling, chosen to make guessing slow without letting a stranger lock staff out for long:
- per account: the first 3 failures in a row are free; each further failure locks the account for
  2, 4, 8 ... seconds, capped at 15 minutes (`locked_until` on the row). A success resets the count.
- per client address: the same rule with 10 free failures (`login_throttles`), so spraying one password over
  many usernames slows down too.
- every failure also costs the caller a fixed pause in the web layer (see web/staff_auth.py).
While locked, even the right password is refused, and the answer says how long to wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.db import for_update, transaction
from smsbot.models import LoginThrottle, StaffUser, utcnow
from smsbot.models.staff import ROLES

ACCOUNT_FREE_FAILURES = 3
ADDRESS_FREE_FAILURES = 10
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so a wrong username costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """The account cannot be created as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class LoginResult:
    staff_id: int | None  # set only on success
    retry_after: int = 0  # seconds to wait when locked


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_staff(factory: sessionmaker[Session], username: str, password: str, *, role: str = "agent") -> int:
    """Store a new staff account with a hashed password; returns its id. Raises AccountError."""
    username = username.strip().lower()
    if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
        raise AccountError("username: use 1-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    try:
        with transaction(factory) as session:
            user = StaffUser(username=username, password_hash=hash_password(password), role=role)
            session.add(user)
            session.flush()
            return int(user.id or 0)
    except IntegrityError as exc:
        raise AccountError(f"username {username!r} is taken") from exc


def authenticate(factory: sessionmaker[Session], username: str, password: str, *, address: str) -> LoginResult:
    """Check a login attempt and record its outcome (throttling above). Never says whether the user exists.

    The slow hash check runs between two short transactions, so no lock is held while it runs."""
    now = utcnow()
    with transaction(factory) as session:
        user = _find(session, username)
        throttle = session.get(LoginThrottle, address)
        locks = (throttle.locked_until if throttle else None, user.locked_until if user else None)
        wait = max(_seconds_left(until, now) for until in locks)
        user_id, stored = (user.id, user.password_hash) if user else (None, None)
    if wait:
        return LoginResult(None, retry_after=wait)
    ok = _password_matches(stored, password)  # an unknown user costs a hash check too
    with transaction(factory) as session:
        _record(session, user_id, address, ok=ok, password=password, now=now)
    return LoginResult(user_id if ok else None)


def _find(session: Session, username: str) -> StaffUser | None:
    query = select(StaffUser).where(col(StaffUser.username) == username.strip().lower())
    return session.execute(query).scalar_one_or_none()


def _record(session: Session, user_id: int | None, address: str, *, ok: bool, password: str, now: datetime) -> None:
    """Reset the counters after a success; count the failure (and lock when due) otherwise. Rows are locked, so
    concurrent attempts never lose a count."""
    throttle = _locked_throttle(session, address)
    user = session.execute(for_update(session, select(StaffUser).where(col(StaffUser.id) == user_id))).scalar()
    if ok and user is not None:
        _rehash_if_needed(user, password)
        user.failed_logins, user.locked_until = 0, None
        throttle.failures, throttle.locked_until = 0, None
        return
    throttle.failures += 1
    throttle.locked_until = _lock_until(throttle.failures, ADDRESS_FREE_FAILURES, now)
    if user is not None:
        user.failed_logins += 1
        user.locked_until = _lock_until(user.failed_logins, ACCOUNT_FREE_FAILURES, now)


def _locked_throttle(session: Session, address: str) -> LoginThrottle:
    query = for_update(session, select(LoginThrottle).where(col(LoginThrottle.address) == address))
    found = session.execute(query).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():  # another attempt from this address may insert the row first
            session.add(LoginThrottle(address=address))
    except IntegrityError:
        pass
    return session.execute(query).scalar_one()


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _rehash_if_needed(user: StaffUser, password: str) -> None:
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def _lock_until(failures: int, free: int, now: datetime) -> datetime | None:
    if failures <= free:
        return None
    seconds = min(2 ** min(failures - free, 20), MAX_LOCK.total_seconds())
    return now + timedelta(seconds=seconds)


def _seconds_left(until: datetime | None, now: datetime) -> int:
    return max(0, int((until - now).total_seconds() + 0.999)) if until else 0


def get_staff(session: Session, staff_id: int | None) -> StaffUser | None:
    return session.get(StaffUser, staff_id) if staff_id is not None else None
