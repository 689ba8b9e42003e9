"""Filing an application: validate, store, issue notice version 1 and queue the notice, in one transaction."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from types import SimpleNamespace
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel, col

from smsbot.config import Settings
from smsbot.conversation.moves import outbound_values
from smsbot.conversation.timers import timer_values
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.outbox import message_row
from smsbot.models import OUTBOUND, Application, Message, NoticeVersion, Timer, TransitionRecord, utcnow
from smsbot.models.message_status import MessageStatus as S
from states.conversation_states import State

MAX_AMOUNT = Decimal("10000000")  # ten million: anything above is a unit mistake, not a small loan
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[Text, StringConstraints(max_length=100)]
    phone: str
    locale: Literal["zh-CN", "en"]
    timezone: str | None = None

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        if not E164.match(value):
            raise ValueError("must be an E.164 number such as +8613800138000")
        if not phonenumbers.is_possible_number(phonenumbers.parse(value)):
            raise ValueError("is not a possible phone number")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError("must be an IANA timezone such as Asia/Shanghai") from exc
        return value

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("must not contain control characters")
        return value


class ApplicationIn(BaseModel):
    """The filing request of PRODUCT.md. Unknown fields and wrong types are refused, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    external_id: Annotated[Text, StringConstraints(max_length=100, pattern=r"^[\x21-\x7e]+$")]
    applicant: ApplicantIn
    amount: Decimal
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    term_months: Annotated[int, Field(ge=1, le=360)] | None = None
    purpose: Annotated[Text, StringConstraints(max_length=200)] | None = None
    submitted_at: datetime | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValueError("must be a number")
        amount = Decimal(value)
        if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
            raise ValueError(f"must be more than 0 and at most {MAX_AMOUNT}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("must have at most two decimal places")
        return amount

    @field_validator("submitted_at", mode="before")
    @classmethod
    def _aware(cls, value: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date-time string")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("must be an ISO 8601 date-time such as 2026-08-03T10:15:00+08:00") from exc
        if moment.tzinfo is None:
            raise ValueError("must include a UTC offset")
        return moment.astimezone(UTC)

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the content, so the same external_id with other content is a conflict."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class Conflict(Exception):
    """The external_id exists with different content."""


def file_application(factory: sessionmaker[Session], request: ApplicationIn, *, settings: Settings) -> tuple[int, bool]:
    """Store the application and queue its notice. Returns (id, created); the same request again returns the
    existing id with created=False and queues nothing. Raises Conflict for other content under the same id."""
    try:
        with transaction(factory) as session:
            return _file(session, request, settings=settings)
    except IntegrityError:
        with transaction(factory) as session:  # lost a race with an identical filing: answer as a retry
            return _existing(session, request)


def _file(session: Session, request: ApplicationIn, *, settings: Settings) -> tuple[int, bool]:
    found = _find(session, request.external_id)
    if found is not None:
        return _existing(session, request)
    app = new_application(session, request, settings=settings)
    return int(app.id or 0), True


def new_application(session: Session, request: ApplicationIn, *, settings: Settings) -> Application:
    """Insert the application, notice version 1, the filing record and the queued notice (no commit)."""
    opted_out = consent.is_opted_out(session, request.applicant.phone)
    app = Application(**application_values(request, opted_out=opted_out, now=utcnow()))
    session.add(app)
    session.flush()
    add_filing_records(session, app, settings=settings)
    return app


def application_values(request: ApplicationIn, *, opted_out: bool, now: datetime) -> dict[str, Any]:
    """Every column of the new application row for `request`; a phone that opted out starts in `opted_out`."""
    applicant = request.applicant
    return {
        "external_id": request.external_id,
        "request_fingerprint": request.fingerprint,
        "name": applicant.name,
        "phone": applicant.phone,
        "locale": applicant.locale,
        "timezone": applicant.timezone,
        "amount_minor": int(request.amount * 100),
        "currency": request.currency,
        "term_months": request.term_months,
        "purpose": request.purpose,
        "submitted_at": request.submitted_at or now,
        "state": (State.OPTED_OUT if opted_out else State.AWAITING_CONFIRMATION).value,
        "handoff_reason": None,
        "reprompts": 0,
        "asked_field": None,
        "notice_version": 1,
        "assignee_id": None,
        "created_at": now,
        "updated_at": now,
    }


def add_filing_records(session: Session, app: Application, *, settings: Settings) -> None:
    """Notice version 1, the filing transition, the queued notice and the prompt's timers of a flushed
    application (no commit)."""
    for model, values in filing_rows(app, settings=settings, now=utcnow()):
        session.add(model(**values))


def filing_rows(
    app: Application | SimpleNamespace, *, settings: Settings, now: datetime
) -> list[tuple[type[SQLModel], dict[str, Any]]]:
    """Every row filing adds beside the stored application (a loaded one, or its column values with their id),
    as column values: the one definition behind both the API (`add_filing_records`) and bulk import, which
    inserts them a table at a time."""
    application_id = int(app.id)  # type: ignore[arg-type]  # stored: it has one
    opted_out = app.state == State.OPTED_OUT
    notice = outbound_values(app, "notice", settings=settings, now=now)
    rows: list[tuple[type[SQLModel], dict[str, Any]]] = [
        (NoticeVersion, notice_version_values(app, staff_id=None, now=now)),
        (
            TransitionRecord,
            {"application_id": application_id, "event": "file", "from_state": "", "to_state": app.state}
            | {"handoff_reason": None, "cause": "api", "cause_id": None, "created_at": now},
        ),
        (
            Message,
            message_row(
                application_id=application_id,
                direction=OUTBOUND,
                phone=app.phone,
                status=S.SUPPRESSED if opted_out else S.QUEUED,  # an opted-out phone's notice is kept, never sent
                now=now,
                **notice,
            ),
        ),
    ]
    if not opted_out:
        rows += [(Timer, values) for values in timer_values(application_id, settings=settings, now=now)]
    return rows


def notice_version_values(app: Application | SimpleNamespace, *, staff_id: int | None, now: datetime) -> dict[str, Any]:
    """The application's details as notice version `app.notice_version` records them."""
    return {
        "application_id": app.id,
        "version": app.notice_version,
        "name": app.name,
        "amount_minor": app.amount_minor,
        "currency": app.currency,
        "term_months": app.term_months,
        "purpose": app.purpose,
        "staff_id": staff_id,
        "created_at": now,
    }


def _find(session: Session, external_id: str) -> Application | None:
    query = select(Application).where(col(Application.external_id) == external_id)
    return session.execute(query).scalar_one_or_none()


def _existing(session: Session, request: ApplicationIn) -> tuple[int, bool]:
    app = _find(session, request.external_id)
    if app is None or app.request_fingerprint != request.fingerprint:
        raise Conflict(request.external_id)
    return int(app.id or 0), False
