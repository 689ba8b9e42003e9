"""Staff accounts: creation, argon2id password checks, password changes, the end of sessions and the slow-down
after failed logins.

Sessions: a session cookie names the account and the account's `session_version` when it was issued; the web
layer refuses a cookie whose version is not the account's current one. Logging out and changing a password bump
the version, so every session of that account ends at once, in every browser, whatever a copied cookie says.

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
from sqlalchemy import select, update
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
    """The account cannot be created or changed as asked: the message says why, `code` names it for the web."""

    def __init__(self, message: str, *, code: str = "account") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class LoginResult:
    staff_id: int | None  # set only on success
    retry_after: int = 0  # seconds to wait when locked
    session_version: int = 0  # the account's current one, for the new session cookie


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_staff(factory: sessionmaker[Session], username: str, password: str, *, role: str = "agent") -> int:
    """Store a new staff account with a hashed password; returns its id. Raises AccountError."""
    username = username.strip().lower()
    if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
        raise AccountError("username: use 1-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_new_password(password)
    try:
        with transaction(factory) as session:
            user = StaffUser(username=username, password_hash=hash_password(password), role=role)
            session.add(user)
            session.flush()
            return int(user.id or 0)
    except IntegrityError as exc:
        raise AccountError(f"username {username!r} is taken") from exc


def change_password(factory: sessionmaker[Session], staff_id: int, current: str, new: str) -> int:
    """A staff member changes their own password, proving the current one. Ends every session of the account;
    returns the new session version (for the session that asked). Raises AccountError."""
    _check_new_password(new)
    with factory() as session:
        user = get_staff(session, staff_id)
        stored = user.password_hash if user else None
    if not _password_matches(stored, current):
        raise AccountError("the current password is wrong", code="wrong_password")
    return _store_password(factory, staff_id, new)


def set_password(factory: sessionmaker[Session], username: str, new: str) -> int:
    """An operator sets an account's password (e.g. after a leak); every session of the account ends. Returns the
    account's id. Raises AccountError."""
    _check_new_password(new)
    with factory() as session:
        user = _find(session, username)
    if user is None or user.id is None:
        raise AccountError(f"no staff account named {username.strip().lower()!r}", code="unknown")
    _store_password(factory, user.id, new)
    return user.id


def end_sessions(factory: sessionmaker[Session], staff_id: int) -> int:
    """End every session of the account (logout); returns the new session version."""
    with transaction(factory) as session:
        return _bump_session_version(session, staff_id)


def _store_password(factory: sessionmaker[Session], staff_id: int, password: str) -> int:
    password_hash = hash_password(password)  # the slow part, outside the transaction
    with transaction(factory) as session:
        session.execute(update(StaffUser).where(col(StaffUser.id) == staff_id).values(password_hash=password_hash))
        return _bump_session_version(session, staff_id)


def _bump_session_version(session: Session, staff_id: int) -> int:
    query = (
        update(StaffUser)
        .where(col(StaffUser.id) == staff_id)
        .values(session_version=col(StaffUser.session_version) + 1)
        .returning(col(StaffUser.session_version))
    )
    return int(session.execute(query).scalar_one())


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters", code="password_short")


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
        version = _record(session, user_id, address, ok=ok, password=password, now=now)
    return LoginResult(user_id, session_version=version) if ok else LoginResult(None)


def _find(session: Session, username: str) -> StaffUser | None:
    query = select(StaffUser).where(col(StaffUser.username) == username.strip().lower())
    return session.execute(query).scalar_one_or_none()


def _record(session: Session, user_id: int | None, address: str, *, ok: bool, password: str, now: datetime) -> int:
    """Reset the counters after a success; count the failure (and lock when due) otherwise. Rows are locked, so
    concurrent attempts never lose a count."""
    throttle = _locked_throttle(session, address)
    user = session.execute(for_update(session, select(StaffUser).where(col(StaffUser.id) == user_id))).scalar()
    if ok and user is not None:
        _rehash_if_needed(user, password)
        user.failed_logins, user.locked_until = 0, None
        throttle.failures, throttle.locked_until = 0, None
        return user.session_version
    throttle.failures += 1
    throttle.locked_until = _lock_until(throttle.failures, ADDRESS_FREE_FAILURES, now)
    if user is not None:
        user.failed_logins += 1
        user.locked_until = _lock_until(user.failed_logins, ACCOUNT_FREE_FAILURES, now)
    return 0


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
