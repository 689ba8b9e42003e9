"""What the lender sends after filing: a decision, a verified new number. Strict like the filing request
(unknown fields and wrong types refused; values checked against `fields`), and the same JSON schema feeds the
OpenAPI document."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationInfo, field_validator

from smsbot.conversation.decisions import DecisionReport
from smsbot.intake import fields
from smsbot.intake.filing import content_hash, text_field
from smsbot.phones import DEFAULT_REGION, MAX_INPUT_CHARS, canonical_phone
from states.decisions import WITH_AMOUNT, Decision


class DecisionIn(BaseModel):
    """A decision on an application. `amount` is for approved and disbursed only (the notice states it,
    rounded); without it they state the amount applied for. The note is kept for staff, never texted."""

    model_config = ConfigDict(extra="forbid", strict=True)

    decision_id: text_field(fields.EXTERNAL_ID)  # type: ignore[valid-type]
    status: Decision
    amount: Annotated[Decimal, BeforeValidator(fields.clean_amount)] | None = None
    note: text_field(fields.NOTE) | None = None  # type: ignore[valid-type]

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> Any:
        if not isinstance(value, str) or value not in {d.value for d in Decision}:
            raise ValueError(f"must be one of {', '.join(Decision)}")
        return Decision(value)

    @field_validator("amount")
    @classmethod
    def _amount_only_where_stated(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        status = info.data.get("status")
        if value is not None and status is not None and status not in WITH_AMOUNT:
            raise ValueError(f"applies only to {' and '.join(sorted(WITH_AMOUNT))}")
        return value

    @cached_property
    def report(self) -> DecisionReport:
        return DecisionReport(
            decision_id=self.decision_id,
            status=self.status.value,
            amount_minor=None if self.amount is None else int(self.amount * 100),
            note=self.note,
            fingerprint=content_hash(self.model_dump(mode="json")),
        )


class PhoneChangeIn(BaseModel):
    """A new number the lender verified; `verified_by` says who or how (kept in the history)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    phone: Annotated[str, StringConstraints(max_length=MAX_INPUT_CHARS)]
    verified_by: text_field(fields.NOTE)  # type: ignore[valid-type]

    @field_validator("phone")
    @classmethod
    def _canonical_phone(cls, value: str, info: ValidationInfo) -> str:
        """ASCII E.164 however it was written; national numbers are read in the context's region."""
        return canonical_phone(value, region=(info.context or {}).get("region", DEFAULT_REGION))
