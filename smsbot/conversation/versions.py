"""Notice versions: the details as they stood each time a notice was issued (filing, a correction, a new
number). Versions are added, never edited."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from smsbot.models import Application


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
