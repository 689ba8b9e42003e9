"""Logging with a last line of defence: the whole record is masked before it is written, whoever logged it (our
code, werkzeug's request log with a /dev/phone URL, a library) and wherever the data sits in it (the message,
the exception text and its traceback, the stack)."""

from __future__ import annotations

import logging
import re

from smsbot.privacy import mask_phone

_PHONE = re.compile(r"(?<![\w*])(?:\+|%2B)?\d{7,15}(?!\w)")
# PostgreSQL quotes row values in its error details: the whole failing row (names, bodies) or a key's value.
_ROW_DETAIL = re.compile(r"(Failing row contains ).*")
_KEY_DETAIL = re.compile(r"(Key \([^)]*\)=)\(.*")
HIDDEN = "(hidden)"
# The mainland gateway's push URLs end in the callback token, their only secret (a request log has the path).
_CALLBACK_TOKEN = re.compile(r"(/webhooks/aliyun/sms-(?:up|report)/)[^\s?#\"']+")
_EXCEPTIONS = logging.Formatter()


def mask_text(text: str) -> str:
    """`text` with every phone-number-like digit run masked, database row details and callback tokens dropped."""
    text = _ROW_DETAIL.sub(r"\g<1>" + HIDDEN, text)
    text = _KEY_DETAIL.sub(r"\g<1>" + HIDDEN, text)
    text = _CALLBACK_TOKEN.sub(r"\g<1>" + HIDDEN, text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0).replace("%2B", "+")), text)


class MaskPhones(logging.Filter):
    """Masks the message, the exception text and the stack of every record its handler writes.

    The exception is rendered here, once, so that formatters (which reuse `exc_text`) never render the raw one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _EXCEPTIONS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Root logging to stderr, every handler masking personal data. Safe to call more than once."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # transitions logs every state exit and entry at INFO: three lines per reply that say nothing our own
    # transition records do not.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # The twilio client logs query parameters (a phone number when listing by To) at INFO.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    # gunicorn's loggers do not propagate to the root: their handlers mask too.
    for name in ("", "gunicorn.error", "gunicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskPhones) for f in handler.filters):
                handler.addFilter(MaskPhones())
