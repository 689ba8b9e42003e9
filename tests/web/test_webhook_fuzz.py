"""Twilio's webhooks fuzzed with correctly signed forms: strange senders, bodies, sids and statuses get a 200
or a 400, never a 5xx, and a 400 leaves the database as it was."""

from __future__ import annotations

from flask import Flask
from hypothesis import event, given
from hypothesis import strategies as st

from smsbot.dependencies import Runtime
from tests.factories import file, signature
from tests.fuzz import FUZZ, snapshot

ODD_TEXT = st.text(st.characters(codec="utf-8"), max_size=30) | st.text(max_size=30)
SENDERS = st.one_of(
    st.sampled_from(["+8613874013561", "13874013561", "+86１３８７４０１３５６１", "+86١٣٨٧٤٠١٣٥٦١"]),
    st.sampled_from(["whatsapp:+85291234567", "+852912345678901234567890", "ExampleBank", "95588", "+99912345678"]),
    ODD_TEXT,
)
BODIES = st.one_of(
    st.sampled_from(["1", "2", "退订", "请别再发\x00", "STOP\x00", "金额不对，是5万", "转人工", "START"]),
    st.text(max_size=200),
    st.text(max_size=1700, alphabet=st.sampled_from("1一a\x00\n")),
)
SIDS = st.one_of(st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True), ODD_TEXT, st.text(min_size=60, max_size=80))
INBOUND = st.fixed_dictionaries(
    {"MessageSid": SIDS, "From": SENDERS, "Body": BODIES},
    optional={"To": SENDERS, "NumMedia": ODD_TEXT, "OptOutType": st.sampled_from(["STOP", "START", "\x00"])},
)
STATUS = st.fixed_dictionaries(
    {
        "MessageSid": SIDS,
        "MessageStatus": st.sampled_from(["sent", "delivered", "undelivered", "failed", "DELIVERED"]) | ODD_TEXT,
    },
    optional={"ErrorCode": st.sampled_from(["30003", "30005", "21610"]) | ODD_TEXT, "ErrorMessage": ODD_TEXT},
)


def post_signed(app: Flask, path: str, form: dict[str, str]) -> int:
    headers = {"X-Twilio-Signature": signature(path, form)}
    return app.test_client().post(path, data=form, headers=headers).status_code


@FUZZ
@given(form=INBOUND)
def test_fuzzed_inbound_sms_never_get_a_5xx_and_a_refusal_changes_nothing(
    app: Flask, rt: Runtime, form: dict[str, str]
) -> None:
    if not snapshot(rt.engine)["applications"]:
        file(app.test_client(), applicant={"phone": "+8613874013561"})
    before = snapshot(rt.engine)
    status = post_signed(app, "/webhooks/twilio/sms", form)
    event(f"inbound {status}")
    assert status in (200, 400)
    if status == 400:
        assert snapshot(rt.engine) == before


@FUZZ
@given(form=STATUS)
def test_fuzzed_status_callbacks_never_get_a_5xx_and_a_refusal_changes_nothing(
    app: Flask, rt: Runtime, form: dict[str, str]
) -> None:
    before = snapshot(rt.engine)
    status = post_signed(app, "/webhooks/twilio/status", form)
    event(f"status callback {status}")
    assert status in (200, 400)
    if status == 400:
        assert snapshot(rt.engine) == before
