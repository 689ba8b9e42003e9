"""The lender's decisions as data: the statuses, the order they may come in, and which ones end the
conversation. Pure data, like the rest of `states/`: the API refuses a decision this table does not allow."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    DOCUMENTS_NEEDED = "documents_needed"
    APPROVED = "approved"
    DISBURSED = "disbursed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


D = Decision
# What may follow the latest decision (None: no decision yet). A review may ask for documents (more than once)
# before it approves or declines; an approved loan is paid out; until it is paid, the applicant may withdraw.
# Declined, withdrawn and disbursed are final. The table looks at the latest decision only, so a request for
# documents after an approval is not in it (it would let a disbursal follow documents never approved).
ALLOWED_AFTER: dict[Decision | None, frozenset[Decision]] = {
    None: frozenset(D),
    D.DOCUMENTS_NEEDED: frozenset({D.DOCUMENTS_NEEDED, D.APPROVED, D.DECLINED, D.WITHDRAWN}),
    D.APPROVED: frozenset({D.DISBURSED, D.WITHDRAWN}),
    D.DISBURSED: frozenset(),
    D.DECLINED: frozenset(),
    D.WITHDRAWN: frozenset(),
}
# Decisions after which the bot stops waiting for the applicant (the conversation is closed).
ENDING = frozenset({D.DECLINED, D.WITHDRAWN})
# Decisions whose notice states an amount (the lender's, else the application's, rounded like the notice).
WITH_AMOUNT = frozenset({D.APPROVED, D.DISBURSED})


def may_follow(latest: str | None, status: str) -> bool:
    """Whether `status` may be reported after the `latest` decision (None before the first)."""
    previous = Decision(latest) if latest is not None else None
    return Decision(status) in ALLOWED_AFTER[previous]


def notice_template(status: str) -> str:
    """The name of the progress notice a decision sends (smsbot/conversation/texts.py)."""
    return f"decision_{Decision(status).value}"


NOTICE_TEMPLATES = frozenset(notice_template(d) for d in Decision)
