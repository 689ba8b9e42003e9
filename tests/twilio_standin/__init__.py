"""Local stand-in for Twilio's Messages API, for tests and benchmarks that use the real twilio client."""

from .faults import FaultError
from .server import TwilioStandIn

__all__ = ["FaultError", "TwilioStandIn"]
