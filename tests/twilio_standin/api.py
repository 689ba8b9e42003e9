"""The Messages resource: create, list and fetch, answered as Twilio answers them."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from .callbacks import CallbackDispatcher, plan_callbacks
from .faults import FaultPlan, NextRule
from .formats import (
    ALPHANUMERIC_SENDER,
    E164,
    ERRORS,
    MAX_BODY_CHARS,
    MESSAGES_PREFIX,
    Message,
    count_segments,
    error_body,
    new_sid,
)
from .store import MessageFilter, MessageStore, parse_date_filter, select_page

Reply = tuple[int, dict[str, object]]
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
LIST_FILTERS = ("To", "From", "DateSent", "DateSent<", "DateSent>")


class MessagesApi:
    """Business rules of the stand-in, free of HTTP plumbing so each rule reads on its own."""

    def __init__(
        self,
        *,
        account_sid: str,
        store: MessageStore,
        faults: FaultPlan,
        dispatcher: CallbackDispatcher,
        stopping: threading.Event,
    ) -> None:
        self.account_sid = account_sid
        self.store = store
        self.faults = faults
        self.dispatcher = dispatcher
        self._stopping = stopping

    def create(self, form: dict[str, str]) -> Reply:
        """Record the attempt, apply any injected fault, validate, store and schedule callbacks."""
        index = self.store.record_attempt(dict(form))
        status, body = self._create(form, self.faults.take_next_rule())
        failed = status >= 400
        self.store.finish_attempt(
            index,
            status,
            sid=None if failed else str(body["sid"]),
            error_code=int(body["code"]) if failed else None,  # type: ignore[call-overload]
        )
        return status, body

    def _create(self, form: dict[str, str], rule: NextRule | None) -> Reply:
        if rule is not None and not rule.created:
            self._stopping.wait(rule.delay_ms / 1000)
            return _rule_error(rule)
        invalid = validate_create(form)
        if invalid is not None:
            return invalid
        fault = self.faults.for_recipient(form["To"])
        if fault is not None and fault.error_code is not None:
            return error_body(fault.error_code, to=form["To"], from_=form.get("From", ""))
        message = self._build_message(form)
        self.store.add(message)
        self.dispatcher.schedule(plan_callbacks(message, self.faults.callback_settings(), fault))
        if rule is not None:
            self._stopping.wait(rule.delay_ms / 1000)
            if rule.http_status is not None or rule.error_code is not None:
                return _rule_error(rule)
        return 201, message.to_json()

    def _build_message(self, form: dict[str, str]) -> Message:
        now = datetime.now(UTC)
        service = form.get("MessagingServiceSid") or None
        return Message(
            sid=new_sid("SM"),
            account_sid=self.account_sid,
            to=form["To"],
            from_=form.get("From") or None,
            body=form["Body"],
            messaging_service_sid=service,
            status="accepted" if service else "queued",
            status_callback=form.get("StatusCallback") or None,
            date_created=now,
            date_updated=now,
            # Set at once so reconciliation by DateSent finds a message the client never heard about.
            date_sent=now,
            num_segments=count_segments(form["Body"]),
            form=dict(form),
        )

    def fetch(self, sid: str, path: str) -> Reply:
        found = self.store.get_json(sid)
        return (200, found) if found is not None else error_body(20404, path=path)

    def read(self, query: dict[str, str]) -> Reply:
        try:
            wanted = MessageFilter(
                to=query.get("To"),
                from_=query.get("From"),
                sent_on=_date_or_none(query.get("DateSent")),
                sent_before=_date_or_none(query.get("DateSent<")),
                sent_after=_date_or_none(query.get("DateSent>")),
            )
            page_size = min(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
            page = int(query.get("Page", 0))
        except ValueError:
            return _invalid_parameter()
        if page_size < 1 or page < 0:
            return _invalid_parameter()
        matching = self.store.query(self.account_sid, wanted)
        token = query.get("PageToken")
        items, has_next, has_previous = select_page(matching, page_size=page_size, token=token, page=page)
        return 200, self._page_body(query, items, page=page, page_size=page_size, next_=has_next, prev=has_previous)

    def _page_body(
        self,
        query: dict[str, str],
        items: list[dict[str, object]],
        *,
        page: int,
        page_size: int,
        next_: bool,
        prev: bool,
    ) -> dict[str, object]:
        filters = [(key, query[key]) for key in LIST_FILTERS if key in query]
        base = f"{MESSAGES_PREFIX}/{self.account_sid}/Messages.json?"

        def uri(number: int, token: str | None = None) -> str:
            params = [*filters, ("PageSize", str(page_size)), ("Page", str(number))]
            return base + urlencode(params + ([("PageToken", token)] if token else []))

        start = page * page_size
        return {
            "end": start + max(len(items) - 1, 0),
            "first_page_uri": uri(0),
            "messages": items,
            "next_page_uri": uri(page + 1, f"PA{items[-1]['sid']}") if next_ and items else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": uri(page - 1, f"PB{items[0]['sid']}") if prev and items else None,
            "start": start,
            "uri": uri(page, query.get("PageToken")),
        }


def validate_create(form: dict[str, str]) -> Reply | None:
    """Twilio's synchronous checks on a create request, in the order Twilio applies them."""
    to, sender, service = form.get("To", ""), form.get("From", ""), form.get("MessagingServiceSid", "")
    body = form.get("Body", "")
    if not to:
        return error_body(21604)
    if not E164.match(to):
        return error_body(21211, to=to)
    if not sender and not service:
        return error_body(21603)
    if sender and not (E164.match(sender) or ALPHANUMERIC_SENDER.match(sender)):
        return error_body(21212, from_=sender)
    if service and not SERVICE_SID.match(service):
        return error_body(21701, sid=service)
    if not body.strip() and not form.get("MediaUrl") and not form.get("ContentSid"):
        return error_body(21602)
    if len(body) > MAX_BODY_CHARS:
        return error_body(21617)
    return None


def _rule_error(rule: NextRule) -> Reply:
    default_codes = {429: 20429, 500: 20500, 503: 20503}
    http_status = rule.http_status or (ERRORS[rule.error_code][0] if rule.error_code in ERRORS else 503)
    code = rule.error_code or default_codes.get(http_status, 20500)
    _, body = error_body(code)
    body["status"] = http_status
    return http_status, body


def _date_or_none(value: str | None) -> date | datetime | None:
    return None if value is None else parse_date_filter(value)


def _invalid_parameter() -> Reply:
    return error_body(20001)
