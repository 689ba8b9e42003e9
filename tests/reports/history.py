"""A seeded history of known outcomes, made through the real paths: filed by the API, sent by the worker (the
simulator, or a stand-in provider that refuses some numbers as Twilio does), answered by signed webhooks,
settled by staff through the inbox. `TRUTH` is what every report must say about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from smsbot.delivery.providers.base import OutboundSms, Outcome, SendResult
from smsbot.delivery.providers.simulator import SimulatorProvider
from smsbot.dependencies import Runtime
from smsbot.models import Application
from smsbot.worker import drain_once
from tests.factories import file, send_sms
from tests.staff_factories import staff_client


class RefusingProvider(SimulatorProvider):
    """Twilio's answer for an invalid number (21211) to the phones in `invalid`, the simulator's to the rest."""

    def __init__(self, invalid: set[str]) -> None:
        self.invalid = invalid

    def send(self, sms: OutboundSms) -> SendResult:
        if sms.phone in self.invalid:
            return SendResult(Outcome.PERMANENT, error_code="21211", detail="invalid To")
        return super().send(sms)


# Applicants by how they answer; en applicants are the `en_` ones. Counts are the truth below.
PLAN = {
    "confirm": ["1", "1", "1", "1"],  # four confirm (one in English)
    "correct": ["2", "2"],  # two ask to correct
    "human": ["转人工", "转人工"],  # two ask for a person: alice marks one confirmed, bob (admin) closes the other
    "stop": ["退订"],  # one opts out
    "silent": [None, None],  # two never answer
    "invalid": [None],  # one number cannot be reached: 21211, handed off as delivery_failed
}
TRUTH = {
    "filed": 12,
    "sent": 11,
    "delivered": 11,
    "replied": 9,
    "confirmed": 5,
    "corrected": 2,
    "handed_off": 3,
    "opted_out": 1,
    "no_reply": 2,
}
TRUTH_HANDOFFS = {"human_requested": 2, "delivery_failed": 1}
TRUTH_FAILURES = {"21211": 1}
TRUTH_LOCALES = {"en": 1, "zh-CN": 11}


@dataclass
class Seeded:
    ids: dict[str, list[int]] = field(default_factory=dict)


def seed_history(app: Flask, rt: Runtime, client: FlaskClient) -> Seeded:
    seeded = Seeded()
    phones: dict[int, str] = {}
    for outcome, replies in PLAN.items():
        for number, _ in enumerate(replies):
            locale = "en" if outcome == "confirm" and number == 0 else "zh-CN"
            filed = file(client, applicant={"locale": locale, "name": "Ann Lee" if locale == "en" else "张三"})
            seeded.ids.setdefault(outcome, []).append(filed["id"])
            phones[filed["id"]] = filed["applicant"]["phone"]
    invalid = {phones[app_id] for app_id in seeded.ids["invalid"]}
    drain_once(rt.sessions, RefusingProvider(invalid), settings=rt.settings)
    for outcome, replies in PLAN.items():
        for app_id, body in zip(seeded.ids[outcome], replies, strict=True):
            if body is not None:
                assert send_sms(client, phones[app_id], body).status_code == 200
    alice, bob = staff_client(app, rt, "alice"), staff_client(app, rt, "bob", role="admin")
    first, second = seeded.ids["human"]
    assert alice.act(first, "claim").status_code == 303
    assert alice.act(first, "confirm", note="confirmed by phone").status_code == 303
    assert bob.act(second, "close", reason="called back, withdrawn").status_code == 303
    drain_once(rt.sessions, rt.provider, settings=rt.settings)
    _check_states(rt, seeded)
    return seeded


def _check_states(rt: Runtime, seeded: Seeded) -> None:
    """The history is what the plan says, before any report is asked (else a report test proves nothing)."""
    with rt.sessions() as session:
        states = dict(session.execute(select(Application.id, Application.state)).tuples().all())
    assert {states[i] for i in seeded.ids["confirm"]} == {"confirmed"}
    assert {states[i] for i in seeded.ids["correct"]} == {"awaiting_correction_field"}
    assert [states[i] for i in seeded.ids["human"]] == ["confirmed", "closed"]
    assert {states[i] for i in seeded.ids["stop"]} == {"opted_out"}
    assert {states[i] for i in seeded.ids["invalid"]} == {"handed_off"}
