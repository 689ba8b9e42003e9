"""Promise 5 and 11 together: after an opt-out, no spelling of the same number gets a text."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.dependencies import Runtime
from smsbot.models import Application, Message
from tests.delivery.helpers import drain
from tests.factories import AUTH, application_payload, file, send_sms

PHONE = "+8613874013561"
LOOKALIKES = ["+86１３８７４０１３５６１", "+86١٣٨٧٤٠١٣٥٦١", "13874013561", PHONE + "\n", "＋86 138 7401 3561"]


def sent_to_any_spelling(rt: Runtime) -> list[Message]:
    with rt.sessions() as session:
        rows = session.execute(select(Message).where(Message.direction == "out")).scalars()
        return [m for m in rows if m.status in ("sent", "delivered") and m.phone.strip().endswith("3561")]


def test_no_spelling_of_an_opted_out_number_gets_a_text(client: FlaskClient, rt: Runtime) -> None:
    file(client, applicant={"phone": PHONE})
    assert send_sms(client, PHONE, "退订").status_code == 200
    drain(rt)
    [confirmation] = sent_to_any_spelling(rt)
    assert confirmation.kind == "opt_out_confirmation"
    for spelling in LOOKALIKES:
        payload = application_payload(applicant={"phone": spelling})
        response = client.post("/api/v1/applications", json=payload, headers=AUTH)
        assert response.status_code in (201, 422), response.get_json()
        if response.status_code == 201:
            assert response.get_json()["applicant"]["phone"] == PHONE
            assert response.get_json()["state"] == "opted_out"
    drain(rt)
    assert [m.kind for m in sent_to_any_spelling(rt)] == ["opt_out_confirmation"]
    with rt.sessions() as session:
        assert set(session.execute(select(Application.phone)).scalars()) == {PHONE}


@pytest.mark.parametrize("spelling", ["13874013561", "+86１３８７４０１３５６１", "+86 138-7401-3561"])
def test_a_national_or_look_alike_spelling_is_stored_as_ascii_e164(client: FlaskClient, spelling: str) -> None:
    body = file(client, applicant={"phone": spelling})
    assert body["applicant"]["phone"] == PHONE


def test_a_reply_from_a_look_alike_spelling_reaches_the_same_application(client: FlaskClient, rt: Runtime) -> None:
    app = file(client, applicant={"phone": "13874013561"})
    assert send_sms(client, "+86１３８７４０１３５６１", "1").status_code == 200
    with rt.sessions() as session:
        stored = session.get(Application, app["id"])
        assert stored is not None and stored.state == "confirmed"
