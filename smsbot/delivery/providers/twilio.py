"""The Twilio backend: the real twilio client, one per process, a finite timeout, errors sorted by what they
tell us about the message (surely not created, maybe created, never deliverable, unsubscribed)."""

from __future__ import annotations

import threading
from datetime import timedelta

from requests.exceptions import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from smsbot.config import Settings
from smsbot.delivery.providers.base import OutboundSms, Outcome, SendResult
from smsbot.delivery.providers.network import classify_network_error

RETRY_CODES = frozenset({20429, 21611})  # rate limited, queue overflow: Twilio created nothing
UNSUBSCRIBED_CODE = 21610
# Where Twilio calls us: the webhook blueprint is mounted from these, and status callbacks are requested at them.
WEBHOOKS_PREFIX = "/webhooks/twilio"
INBOUND_ROUTE, STATUS_ROUTE = "/sms", "/status"
RECONCILED = "found at provider"


class TwilioProvider:
    name = "twilio"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._pid_lock = threading.Lock()

    @property
    def sender(self) -> str:
        return self.settings.twilio_messaging_service_sid or self.settings.twilio_from_number

    def client(self) -> Client:
        """Created on first use, so a forked process never shares its parent's connections."""
        with self._pid_lock:
            if self._client is None:
                http = TwilioHttpClient(timeout=self.settings.twilio_timeout_seconds)
                client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token, http_client=http)
                client.api.base_url = self.settings.twilio_api_base_url
                self._client = client
            return self._client

    def warm_up(self) -> None:
        """The client and its message resource import a good part of the library on first use."""
        assert self.client().messages is not None

    def send(self, sms: OutboundSms) -> SendResult:
        kwargs: dict[str, str] = {
            "to": sms.phone,
            "body": sms.body,
            "status_callback": self.settings.public_url + WEBHOOKS_PREFIX + STATUS_ROUTE,
        }
        if self.settings.twilio_messaging_service_sid:
            kwargs["messaging_service_sid"] = self.settings.twilio_messaging_service_sid
        else:
            kwargs["from_"] = self.settings.twilio_from_number
        try:
            message = self.client().messages.create(**kwargs)
        except TwilioRestException as exc:
            return classify_rest_error(exc)
        except TwilioException as exc:  # e.g. TwilioServiceException, which is not a TwilioRestException
            return SendResult(Outcome.UNKNOWN, detail=type(exc).__name__)
        except RequestException as exc:
            return classify_network_error(exc)
        return SendResult(Outcome.SENT, sid=message.sid, status=message.status or "queued")

    def find_sent(self, sms: OutboundSms) -> SendResult | None:
        """Look for this SMS at Twilio (same To and body, sent since it was queued, not one we already know)."""
        try:
            since = sms.created_at - timedelta(minutes=5)
            for message in self.client().messages.stream(to=sms.phone, date_sent_after=since, page_size=50):
                if message.body == sms.body and message.sid not in sms.known_sids:
                    return SendResult(
                        Outcome.SENT, sid=message.sid, status=message.status or "queued", detail=RECONCILED
                    )
        except (TwilioException, RequestException):
            return SendResult(Outcome.UNKNOWN, detail="lookup failed")
        return None


def classify_rest_error(exc: TwilioRestException) -> SendResult:
    code = exc.code or 0
    detail = f"HTTP {exc.status}"
    if code == UNSUBSCRIBED_CODE:
        return SendResult(Outcome.UNSUBSCRIBED, error_code=str(code), detail=detail)
    if exc.status == 429 or code in RETRY_CODES:
        return SendResult(Outcome.RETRY, error_code=str(code or exc.status), detail=detail)
    if exc.status >= 500:  # Twilio may have created it: reconcile before sending again
        return SendResult(Outcome.UNKNOWN, error_code=str(code or exc.status), detail=detail)
    # Any other 4xx (21211 invalid, 21614/21612 unroutable, 21635 landline...): this number will not receive it.
    return SendResult(Outcome.PERMANENT, error_code=str(code or exc.status), detail=detail)
