"""Local stand-in for Twilio's Messages API, for tests and benchmarks that use the real twilio client.

    with TwilioStandIn(account_sid, auth_token) as standin:
        client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=5))
        client.api.base_url = standin.base_url  # twilio joins it with "/2010-04-01/Accounts/..."

Faults and inspection: methods of `TwilioStandIn`, or JSON under `<base_url>/_control/` (control.py).
"""

from .faults import FaultError
from .server import TwilioStandIn

__all__ = ["FaultError", "TwilioStandIn"]
