"""Filing an application: validate, store, issue notice version 1 and queue the notice, in one transaction."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from types import SimpleNamespace
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel, col

from smsbot.config import Settings
from smsbot.conversation.catalogue import load_catalogue
from smsbot.conversation.moves import outbound_values
from smsbot.conversation.timers import timer_values
from smsbot.conversation.versions import notice_version_values
from smsbot.db import transaction, violates_unique
from smsbot.delivery import consent
from smsbot.delivery.outbox import message_row
from smsbot.intake import fields
from smsbot.intake.fields import MAX_AMOUNT as MAX_AMOUNT
from smsbot.intake.fields import TextField
from smsbot.models import OUTBOUND, Application, Message, NoticeVersion, Timer, TransitionRecord, utcnow
from smsbot.models.message_status import MessageStatus as S
from smsbot.phones import DEFAULT_REGION, MAX_INPUT_CHARS, canonical_phone
from states.conversation_states import State


def text_field(rule: TextField) -> Any:
    """The pydantic type of a free-text field of the table in `fields`, with its limits in the JSON schema."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=rule.max_length, pattern=rule.pattern),
        AfterValidator(rule.clean),
    ]


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: text_field(fields.NAME)  # type: ignore[valid-type]
    phone: Annotated[str, StringConstraints(max_length=MAX_INPUT_CHARS)]
    locale: Literal["zh-CN", "en"]
    timezone: Annotated[str, StringConstraints(max_length=fields.MAX_TIMEZONE_CHARS)] | None = None

    @field_validator("phone")
    @classmethod
    def _canonical_phone(cls, value: str, info: ValidationInfo) -> str:
        """ASCII E.164 however it was written; the region for national numbers comes from the context."""
        return canonical_phone(value, region=(info.context or {}).get("region", DEFAULT_REGION))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else fields.clean_timezone(value)


class ApplicationIn(BaseModel):
    """The filing request of PRODUCT.md. Unknown fields and wrong types are refused; values are checked
    against `fields` and kept in one form (ASCII E.164 phone, two-place amount, UTC time). Validate with
    `context={"region": settings.default_region}` so national numbers are read in the deployment's region."""

    model_config = ConfigDict(extra="forbid", strict=True)

    external_id: text_field(fields.EXTERNAL_ID)  # type: ignore[valid-type]
    applicant: ApplicantIn
    amount: Annotated[Decimal, BeforeValidator(fields.clean_amount)]
    currency: Annotated[str, StringConstraints(pattern=fields.CURRENCY_PATTERN)] = "CNY"
    term_months: Annotated[int, Field(ge=fields.TERM_MONTHS.start, le=fields.TERM_MONTHS.stop - 1)] | None = None
    purpose: text_field(fields.PURPOSE) | None = None  # type: ignore[valid-type]
    submitted_at: Annotated[datetime, BeforeValidator(fields.clean_submitted_at)] | None = None

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the content, so the same external_id with other content is a conflict."""
        return self.fingerprints[0]

    @cached_property
    def fingerprints(self) -> tuple[str, ...]:
        """The fingerprint, then those filings stored before amounts were compared by value: they hashed the
        amount as it was written (50000, 50000.0 or 50000.00), so a retry of one still matches."""
        content = self.model_dump(mode="json")
        amount = self.amount
        spellings = [f"{amount:.2f}"] + [f"{amount:.{places}f}" for places in (1, 0) if amount == round(amount, places)]
        return tuple(content_hash(content | {"amount": spelling}) for spelling in spellings)


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Conflict(Exception):
    """The external_id exists with different content."""


def file_application(factory: sessionmaker[Session], request: ApplicationIn, *, settings: Settings) -> tuple[int, bool]:
    """Store the application and queue its notice. Returns (id, created); the same request again returns the
    existing id with created=False and queues nothing. Raises Conflict for other content under the same id."""
    try:
        with transaction(factory) as session:
            return _file(session, request, settings=settings)
    except IntegrityError as exc:
        if not violates_unique(exc, "applications", "external_id"):
            raise
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
    app = Application(**application_values(request, opted_out=opted_out, now=utcnow(), settings=settings))
    session.add(app)
    session.flush()
    add_filing_records(session, app, settings=settings)
    return app


def application_values(request: ApplicationIn, *, opted_out: bool, now: datetime, settings: Settings) -> dict[str, Any]:
    """Every column of the new application row for `request`; a phone that opted out starts in `opted_out`.
    The notice variant is drawn from the external_id, so the same filing always gets the same wording."""
    applicant = request.applicant
    variant = load_catalogue(settings.templates_file).assign_variant(request.external_id)
    return {
        "external_id": request.external_id,
        "notice_variant": variant,
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
        "decision": None,
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


def _find(session: Session, external_id: str) -> Application | None:
    query = select(Application).where(col(Application.external_id) == external_id)
    return session.execute(query).scalar_one_or_none()


def _existing(session: Session, request: ApplicationIn) -> tuple[int, bool]:
    app = _find(session, request.external_id)
    if app is None or app.request_fingerprint not in request.fingerprints:
        raise Conflict(request.external_id)
    return int(app.id or 0), False
