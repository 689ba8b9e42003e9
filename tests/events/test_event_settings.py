"""The events settings refuse what cannot work, with a clear message, before anything starts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from smsbot.config import load_settings
from tests.conftest import EVENTS_SECRET


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"events_url": "http://127.0.0.1:9/events"}, "SMSBOT_EVENTS_URL and SMSBOT_EVENTS_SECRET go together"),
        ({"events_secret": EVENTS_SECRET}, "SMSBOT_EVENTS_URL and SMSBOT_EVENTS_SECRET go together"),
        ({"events_url": "ftp://lender/events", "events_secret": EVENTS_SECRET}, "expected an http:// or https://"),
        ({"events_url": "https://lender/e", "events_secret": "not-a-secret"}, "expected a Standard Webhooks secret"),
        ({"events_url": "https://lender/e", "events_secret": "whsec_c2hvcnQ="}, "expected a Standard Webhooks secret"),
        ({"events_url": "https://lender/e", "events_secret": "whsec_!!!notbase64!!!"}, "Standard Webhooks secret"),
    ],
)
def test_events_settings_that_cannot_work_are_refused(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        load_settings(**overrides)
    assert not any(value in str(refused.value) for value in overrides.values() if "whsec" in value or "secret" in value)


def test_events_are_on_only_with_both_settings() -> None:
    assert not load_settings().events_enabled
    assert load_settings(events_url="https://lender.example/events", events_secret=EVENTS_SECRET).events_enabled
