"""Who may act on a conversation, and the refusal every staff action raises. No Flask here.

A staff member acts on conversations they hold; acting on an unassigned one claims it. Only an admin may take
over a conversation someone else holds, or close a conversation (closing ends it without the applicant's word,
and the bot never reopens it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from smsbot.models import Application, StaffUser
from smsbot.models.locking import lock_application
from smsbot.staff.audit import record_action


class Refusal(Exception):
    """The action was refused; `code` names why (the web layer words it), `params` fill in the details."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    username: str
    is_admin: bool


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Refusal("admin_only")


def locked_application(session: Session, app_id: int) -> Application:
    """The application row, locked until the transaction ends (models.locking); refused when there is none."""
    app = lock_application(session, app_id)
    if app is None:
        raise Refusal("not_found")
    return app


def require_holder(session: Session, app: Application, actor: Actor) -> None:
    """Claim an unassigned conversation for the actor (the row is locked); refuse one held by someone else."""
    if app.assignee_id is None:
        app.assignee_id = actor.id
        record_action(session, app.pk, actor.id, "claim", None, {"assignee": actor.username})
    elif app.assignee_id != actor.id:
        raise Refusal("held_by", holder=holder_name(session, app.pk) or "?")


def holder_name(session: Session, app_id: int) -> str | None:
    """The username of whoever holds the conversation, or None."""
    query = (
        select(col(StaffUser.username))
        .join(Application, col(Application.assignee_id) == col(StaffUser.id))
        .where(col(Application.id) == app_id)
    )
    return session.execute(query).scalar_one_or_none()
