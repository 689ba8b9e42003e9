"""The event types: public names, part of the contract with the lender's system (PRODUCT.md)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """Each type's `data` holds the application's `application_id`, `external_id`, `state`, `previous_state`
    and `handoff_reason` after the change, its `cause` (`message`, `staff`, `timer`, `delivery`, `api`), and the
    fields named here."""

    CONFIRMED = "application.confirmed"
    CORRECTION_REQUESTED = "application.correction_requested"  # field, value
    HANDED_OFF = "application.handed_off"  # reason
    SETTLED = "application.settled"  # how, by
    OPTED_OUT = "application.opted_out"
    OPTED_IN = "application.opted_in"
    DELIVERY_FAILED = "application.delivery_failed"  # message_id
    PHONE_CHANGED = "application.phone_changed"  # phone, previous_phone, verified_by
    DECISION_NOTIFIED = "application.decision_notified"  # decision_id, status, message_id, notice_suppressed
