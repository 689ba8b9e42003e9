"""Small helpers shared by the delivery tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from smsbot.dependencies import Runtime
from smsbot.models import Application, Message, PhoneConsent
from smsbot.worker import drain_once


def drain(rt: Runtime, now: datetime | None = None) -> int:
    return drain_once(rt.sessions, rt.provider, settings=rt.settings, now=now)


def outbound(rt: Runtime, phone: str) -> list[Message]:
    with rt.sessions() as session:
        query = select(Message).where(Message.phone == phone, Message.direction == "out").order_by(Message.id)
        return list(session.execute(query).scalars())


def application_row(rt: Runtime, app_id: int) -> Application:
    with rt.sessions() as session:
        app = session.get(Application, app_id)
        assert app is not None
        return app


def consent_row(rt: Runtime, phone: str) -> PhoneConsent | None:
    with rt.sessions() as session:
        return session.get(PhoneConsent, phone)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll for something another thread or process does; fail loudly if it never happens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")
