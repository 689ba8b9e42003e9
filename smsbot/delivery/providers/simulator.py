"""The laptop backend: "sending" is accepting; the outbound row itself is what /dev/phone shows."""

from __future__ import annotations

from smsbot.delivery.providers.base import OutboundSms, Outcome, SendResult


class SimulatorProvider:
    name = "simulator"

    def warm_up(self) -> None:
        """Nothing to set up."""

    def send(self, sms: OutboundSms) -> SendResult:
        return SendResult(Outcome.SENT, sid=f"SIM{sms.message_id:032d}", status="delivered")

    def find_sent(self, sms: OutboundSms) -> SendResult | None:
        return self.send(sms)
