"""Checks of what the lender's receiver got: everything, in order per application, every signature good."""

from __future__ import annotations

from standardwebhooks import Webhook

from smsbot.dependencies import Runtime
from smsbot.models.event import DELIVERED
from tests.conftest import EVENTS_SECRET
from tests.events.history import event_rows
from tests.events.receiver import Receipt, Receiver


def all_delivered(rt: Runtime) -> bool:
    rows = event_rows(rt)
    return bool(rows) and all(row.status == DELIVERED for row in rows)


def assert_received_in_order(rt: Runtime, receiver: Receiver) -> None:
    """Every recorded event reached the receiver, and per application the events it accepted never go back
    (a retry after a timeout may repeat one, never reorder two); every signature verifies."""
    rows = event_rows(rt)
    position = {row.webhook_id: (row.application_id, n) for n, row in enumerate(rows)}
    accepted = receiver.accepted()
    assert {receipt.webhook_id for receipt in accepted} == set(position)
    latest: dict[int, int] = {}
    for receipt in accepted:
        application_id, n = position[receipt.webhook_id]
        assert n >= latest.get(application_id, -1), f"event {n} of application {application_id} came late"
        latest[application_id] = n
    for receipt in receiver.receipts:
        _assert_signed(receipt, rows_by_id={row.webhook_id: row.payload for row in rows})


def _assert_signed(receipt: Receipt, *, rows_by_id: dict[str, str]) -> None:
    verified = Webhook(EVENTS_SECRET).verify(receipt.body, receipt.headers)
    assert verified == receipt.event
    assert receipt.body == rows_by_id[receipt.webhook_id]  # the stored bytes, on every try
