"""Staff accounts: creation, argon2id password checks (throttled by staff.throttle), password changes and the
end of sessions.

Sessions: a session cookie names the account and the account's `session_version` when it was issued; the web
layer refuses a cookie whose version is not the account's current one. Logging out and changing a password bump
the version, so every session of that account ends at once, in every browser, whatever a copied cookie says.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.db import transaction
from smsbot.models import StaffUser, utcnow
from smsbot.models.staff import ROLES
from smsbot.staff.throttle import Locked, admit_attempt, forgive

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
    """Check a login attempt, throttled (staff.throttle). Never says whether the user exists.

    The attempt is counted in one short transaction before the slow hash check, which holds no lock; a success
    takes its count back in a second one."""
    now = utcnow()
    try:
        with transaction(factory) as session:
            user = _find(session, username)
            staff_id, stored = (user.id, user.password_hash) if user else (None, None)
            admit_attempt(session, address, staff_id, now=now)
    except Locked as locked:
        return LoginResult(None, retry_after=locked.retry_after)
    ok = _password_matches(stored, password)  # an unknown user costs a hash check too
    if not ok or staff_id is None:
        return LoginResult(None)
    with transaction(factory) as session:
        forgive(session, address, staff_id)
        user = session.get(StaffUser, staff_id, populate_existing=True)
        assert user is not None
        _rehash_if_needed(user, password)
        return LoginResult(staff_id, session_version=user.session_version)


def _find(session: Session, username: str) -> StaffUser | None:
    query = select(StaffUser).where(col(StaffUser.username) == username.strip().lower())
    return session.execute(query).scalar_one_or_none()


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _rehash_if_needed(user: StaffUser, password: str) -> None:
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def get_staff(session: Session, staff_id: int | None) -> StaffUser | None:
    return session.get(StaffUser, staff_id) if staff_id is not None else None
