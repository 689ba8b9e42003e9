"""POSTing one event to the lender's endpoint, signed as Standard Webhooks asks: `webhook-id` (the event's, the
same on every retry), `webhook-timestamp` (this attempt's) and `webhook-signature` (`v1,` HMAC-SHA256 of
`id.timestamp.body` under SMSBOT_EVENTS_SECRET), made by the `standardwebhooks` library the lender can verify
with. The only module that talks to the lender's system; it holds no database connection."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from math import floor

import requests
from standardwebhooks import Webhook

from smsbot.config import Settings
from smsbot.events.claims import EventClaim

USER_AGENT = "smsbot-events/1"


class EventSender:
    """Posts events; safe to share between threads (each thread keeps its own keep-alive connection)."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.events_url
        self._webhook = Webhook(settings.events_secret)
        self._timeout = settings.events_timeout_seconds
        self._local = threading.local()
        # What requests would read from the environment on every POST (proxies, a CA bundle), read once here by
        # requests itself: the per-request scan of os.environ was a fifth of the worker's time per event.
        found = requests.Session().merge_environment_settings(self._url or None, {}, None, None, None)
        self._proxies = dict(found["proxies"])
        self._verify: str | bool = found["verify"] if found["verify"] is not None else True

    def post(self, claim: EventClaim) -> str | None:
        """Send one event; None when the endpoint answered 2xx, else what went wrong (never the URL, which may
        carry a token)."""
        try:
            response = self._session().post(
                self._url,
                data=claim.payload.encode(),
                headers=self.headers(claim.webhook_id, claim.payload, datetime.now(UTC)),
                timeout=(self._timeout, self._timeout),
                allow_redirects=False,  # a redirect is the receiver's mistake; following it could leak the body
            )
        except requests.Timeout:
            return "timeout"  # the receiver may have it: it gets it again (at least once)
        except requests.RequestException as exc:
            return f"not reached ({type(exc).__name__})"
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    def headers(self, webhook_id: str, payload: str, moment: datetime) -> dict[str, str]:
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(floor(moment.timestamp())),
            "webhook-signature": self._webhook.sign(webhook_id, moment, payload),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # the environment's settings are applied below, as read at start
            session.proxies.update(self._proxies)
            session.verify = self._verify
        return session
