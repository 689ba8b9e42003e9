"""Logging with a last line of defence: any phone-number-like digit run is masked before a record is written,
whoever logged it (our code, werkzeug's request log with a /dev/phone URL, a library)."""

from __future__ import annotations

import logging
import re

from smsbot.privacy import mask_phone

_PHONE = re.compile(r"(?<![\w*])(?:\+|%2B)?\d{7,15}(?!\w)")


class MaskPhones(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _PHONE.sub(lambda m: mask_phone(m.group(0).replace("%2B", "+")), message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Root logging to stderr, every handler masking phone numbers. Safe to call more than once."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # transitions logs every state exit and entry at INFO: three lines per reply that say nothing our own
    # transition records do not.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # The twilio client logs query parameters (a phone number when listing by To) at INFO.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskPhones) for f in handler.filters):
            handler.addFilter(MaskPhones())
