"""What a message that will not arrive does to the conversation: a person takes over (`delivery_failed`), or,
when the provider says the phone unsubscribed, the conversation is opted out. Delivery has already recorded
what the failure means for the phone (`delivery.failures`); this runs in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.moves import carry_out, hand_off
from smsbot.db import transaction
from smsbot.delivery.failures import Undeliverable
from smsbot.delivery.gateway_elements import Report
from smsbot.delivery.gateway_pushes import SMS_REPORT, record_report, store_once
from smsbot.delivery.status_callbacks import record_status_callback
from smsbot.models.locking import lock_application
from states.conversation_states import HandoffReason, State
from states.policy import Step


def handle_status_callback(factory: sessionmaker[Session], form: dict[str, str], *, settings: Settings) -> bool:
    """Store a provider's status callback and act on it in one transaction; True when it moved a known
    message's status forward."""
    with transaction(factory) as session:
        applied, failures = record_status_callback(session, form)
        settle_undeliverable(session, failures, settings=settings)
        return applied


def settle_undeliverable(session: Session, failures: list[Undeliverable], *, settings: Settings) -> None:
    """Hand each failed message's conversation to a person (or opt it out), unless it already ended."""
    for failure in failures:
        app = lock_application(session, failure.application_id)
        if app is None or app.state in (State.OPTED_OUT, State.CLOSED):
            continue
        if failure.unsubscribed:
            carry_out(
                session, app, Step("do_opt_out"), settings=settings, cause="delivery", cause_id=failure.message_id
            )
        else:
            hand_off(
                session,
                app,
                HandoffReason.DELIVERY_FAILED,
                settings=settings,
                cause="delivery",
                cause_id=failure.message_id,
                event="do_fail_delivery",
            )


def handle_gateway_report(
    factory: sessionmaker[Session], report: Report, element: object, *, settings: Settings
) -> str:
    """Store a gateway's delivery report and act on it in one transaction, once per report (biz id and phone).
    Returns `duplicate`, `applied` (it moved a status forward) or `stored` (late, unknown or not yet sent)."""
    with transaction(factory) as session:
        if not store_once(session, SMS_REPORT, report.push_key, element):
            return "duplicate"
        applied, failures = record_report(session, report, element)
        settle_undeliverable(session, failures, settings=settings)
        return "applied" if applied else "stored"
