"""A day of conversations that causes every kind of event a conversation move records, and the events each
application should send, in order."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from smsbot.dependencies import Runtime
from smsbot.models import Application, EventOutbox
from tests.factories import file, send_sms
from tests.staff_factories import staff_client

CONFIRMED, CORRECTION, HANDED_OFF = (
    "application.confirmed",
    "application.correction_requested",
    "application.handed_off",
)
SETTLED, OPTED_OUT, OPTED_IN = "application.settled", "application.opted_out", "application.opted_in"


def make_history(app: Flask, rt: Runtime, *, staff: str = "lin") -> dict[int, list[str]]:
    """Four applicants: one confirms; one corrects the amount, staff resend and they confirm; one opts out and
    back in and an admin closes the case; one asks for a person, who confirms on a call. Returns the event
    types each application should send, by id."""
    client = app.test_client()
    admin = staff_client(app, rt, staff, role="admin")

    def applicant(*replies: str) -> int:
        filed = file(client)
        for body in replies:
            assert send_sms(client, filed["applicant"]["phone"], body).status_code == 200
        return int(filed["id"])

    def settle(app_id: int, action: str, **form: str) -> None:
        assert admin.act(app_id, action, **form).status_code == 303

    expected = {applicant("1"): [CONFIRMED]}
    corrected = applicant("2", "2", "60000")
    settle(corrected, "resend_notice")
    assert send_sms(client, _phone(rt, corrected), "1").status_code == 200
    expected[corrected] = [CORRECTION, HANDED_OFF, SETTLED, CONFIRMED]
    returned = applicant("STOP", "START")
    settle(returned, "close", reason="the applicant withdrew on the phone")
    expected[returned] = [OPTED_OUT, OPTED_IN, HANDED_OFF, SETTLED]
    called = applicant("转人工")
    settle(called, "confirm", note="confirmed on a call")
    expected[called] = [HANDED_OFF, SETTLED, CONFIRMED]
    return expected


def event_rows(rt: Runtime) -> list[EventOutbox]:
    with rt.sessions() as session:
        return list(session.execute(select(EventOutbox).order_by(EventOutbox.id)).scalars())  # type: ignore[arg-type]


def recorded(rt: Runtime) -> dict[int, list[str]]:
    """The event types recorded, by application, in their order."""
    found: dict[int, list[str]] = {}
    for row in event_rows(rt):
        found.setdefault(row.application_id, []).append(row.type)
    return found


def data(row: EventOutbox) -> dict[str, Any]:
    return json.loads(row.payload)["data"]  # type: ignore[no-any-return]


def _phone(rt: Runtime, app_id: int) -> str:
    with rt.sessions() as session:
        found = session.get(Application, app_id)
        assert found is not None
        return found.phone
