"""What a failed HTTP call to a provider tells us: a connection that never opened created nothing (send again
later); one that broke after the request went out may have (reconcile first). Shared by every provider whose
client is built on requests."""

from __future__ import annotations

from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout
from urllib3.exceptions import NewConnectionError

from smsbot.delivery.providers.base import Outcome, SendResult


def classify_network_error(exc: BaseException) -> SendResult:
    """A connection that never opened cannot have created anything; anything later might have."""
    if isinstance(exc, ConnectTimeout) or (
        isinstance(exc, RequestsConnectionError) and _caused_by(exc, NewConnectionError)
    ):
        return SendResult(Outcome.RETRY, detail="connect error")
    return SendResult(Outcome.UNKNOWN, detail=type(exc).__name__)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind) or any(isinstance(arg, kind) for arg in getattr(seen, "args", ())):
            return True
        reason = getattr(seen, "reason", None)
        if isinstance(reason, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
