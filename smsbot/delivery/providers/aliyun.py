"""The Alibaba Cloud SMS backend (Dysmsapi 2017-05-25) through its official SDK: one client per process, finite
timeouts, no retries inside the SDK (the outbox retries), and the gateway's answers sorted by what they tell us.

Every text is an approved template: the message's template (and variant) names the templates file's entry,
whose `aliyun_code` is sent with the entry's `aliyun_params` taken from the values stored on the message; the
gateway adds the signature (`ALIYUN_SMS_SIGN_NAME`) itself. Our message id goes as `OutId`, so a send whose
outcome is unknown is found again with QuerySendDetails (phone, date, OutId) before it is ever sent twice.

A refusal of the account or signature halts every send, a refusal of a template halts that template, for
`HALT_SECONDS`: the messages stay queued (`Outcome.HALTED`), an ERROR line says what to fix, and
`smsbot_send_halts_total` counts them; then the gateway is tried again."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, SendSmsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException, UnretryableException

from smsbot.config import Settings
from smsbot.delivery.providers.base import HALT_SECONDS, OutboundSms, Outcome, SendResult
from smsbot.delivery.providers.network import classify_network_error

log = logging.getLogger(__name__)

SID_PREFIX = "aliyun:"  # provider_sid = aliyun:<BizId>; never equal to a Twilio sid
CHINA = ZoneInfo("Asia/Shanghai")  # the gateway's SendDate is a date in China time
RECONCILED = "found at provider"
PAGE_SIZE = 50  # QuerySendDetails' largest page

# The number cannot receive it (or is on the gateway's blacklist): hand off.
PERMANENT_CODES = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.PHONE_NUMBER_ILLEGAL",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.NOT_SUPPORTED_COUNTRY",
    }
)
# Flow control: the gateway created nothing and will take it later.
RETRY_PREFIXES = ("isv.BUSINESS_LIMIT", "BUSINESS_LIMIT", "isv.DAY_LIMIT", "Throttling")
# The template (or its parameters) is at fault: only that template waits. Any other refusal halts every send.
TEMPLATE_CODES = frozenset({"isv.TEMPLATE_MISSING_PARAMETERS", "isv.SMS_TEMPLATE_ILLEGAL", "isv.INVALID_JSON_PARAM"})
ACCOUNT = ""  # the halt scope of an account, signature or credentials problem
NO_TEMPLATE = "no_template"  # our own code: a message that names no template the gateway knows


# (template with its variant, rendered body) -> (language, gateway code or None, parameter names), or None when
# the templates file has no such template: the conversation's catalogue, handed in so delivery reads no copy.
GatewayTemplates = Callable[[str, str], tuple[str, str | None, tuple[str, ...]] | None]


class AliyunProvider:
    name = "aliyun"

    def __init__(self, settings: Settings, templates: GatewayTemplates) -> None:
        self.settings, self.templates = settings, templates
        self._client: Client | None = None
        self._lock = threading.Lock()
        self._halts: dict[str, tuple[float, str]] = {}  # scope -> (monotonic end, the code that halted it)

    @property
    def sender(self) -> str:
        """Pacing is per signature: the gateway's limits are per signature and template."""
        return f"aliyun:{self.settings.aliyun_sms_sign_name}"

    def client(self) -> Client:
        """Created on first use, so a forked process never shares its parent's connections."""
        with self._lock:
            if self._client is None:
                protocol, host = endpoint_parts(self.settings.aliyun_sms_endpoint)
                timeout_ms = int(self.settings.aliyun_timeout_seconds * 1000)
                config = Config(
                    access_key_id=self.settings.aliyun_access_key_id,
                    access_key_secret=self.settings.aliyun_access_key_secret,
                    endpoint=host,
                    protocol=protocol,
                    connect_timeout=timeout_ms,
                    read_timeout=timeout_ms,
                )
                self._client = Client(config)
            return self._client

    def runtime(self) -> RuntimeOptions:
        timeout_ms = int(self.settings.aliyun_timeout_seconds * 1000)
        return RuntimeOptions(autoretry=False, connect_timeout=timeout_ms, read_timeout=timeout_ms)

    def warm_up(self) -> None:
        """The client builds its credentials and endpoint on creation."""
        assert self.client() is not None

    def send(self, sms: OutboundSms) -> SendResult:
        gateway = gateway_template(sms, self.templates)
        if isinstance(gateway, SendResult):
            log.error("message %s not sent: %s", sms.message_id, gateway.detail)
            return gateway
        code, params = gateway
        held = self._held(code)
        if held is not None:
            return SendResult(Outcome.HALTED, error_code=held, detail=f"held after {held}")
        request = SendSmsRequest(
            phone_numbers=gateway_number(sms.phone),
            sign_name=self.settings.aliyun_sms_sign_name,
            template_code=code,
            template_param=json.dumps(params, ensure_ascii=False),
            out_id=str(sms.message_id),
        )
        try:
            body = self.client().send_sms_with_options(request, self.runtime()).body
        except ThrottlingException as exc:
            return SendResult(Outcome.RETRY, error_code=str(exc.code), detail="throttled")
        except AlibabaCloudException as exc:  # an HTTP error answer: 4xx refusals, 5xx maybe created
            if (getattr(exc, "status_code", None) or 0) >= 500:
                return SendResult(Outcome.UNKNOWN, error_code=str(exc.code), detail=f"HTTP {exc.status_code}")
            return self._classify(str(exc.code), code)
        except UnretryableException as exc:  # the SDK's wrapper of a network error
            return classify_network_error(_network_cause(exc))
        except (TeaException, ValueError) as exc:  # e.g. an answer that is not JSON: it may have been accepted
            return SendResult(Outcome.UNKNOWN, detail=type(exc).__name__)
        if body is not None and body.code == "OK" and body.biz_id:
            return SendResult(Outcome.SENT, sid=SID_PREFIX + body.biz_id, status="accepted")
        return self._classify(str(body.code if body is not None else ""), code)

    def find_sent(self, sms: OutboundSms) -> SendResult | None:
        """Look for this SMS at the gateway by phone, date and OutId. QuerySendDetails does not return the
        BizId, so a send found this way is known as `aliyun:out:<message id>` (reports match on OutId first)."""
        try:
            for day in _send_dates(sms.created_at):
                if self._query_has_out_id(gateway_number(sms.phone), day, str(sms.message_id)):
                    sid = f"{SID_PREFIX}out:{sms.message_id}"
                    return SendResult(Outcome.SENT, sid=sid, status="accepted", detail=RECONCILED)
        except (TeaException, ValueError):
            return SendResult(Outcome.UNKNOWN, detail="lookup failed")
        return None

    def _query_has_out_id(self, phone: str, day: str, out_id: str) -> bool:
        page = 1
        while True:
            request = QuerySendDetailsRequest(phone_number=phone, send_date=day, page_size=PAGE_SIZE, current_page=page)
            body = self.client().query_send_details_with_options(request, self.runtime()).body
            if body is None or body.code != "OK":
                raise ValueError(f"QuerySendDetails answered {body.code if body else 'nothing'}")
            dtos = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else None
            details = dtos or []
            if any(detail.out_id == out_id for detail in details):
                return True
            if len(details) < PAGE_SIZE or page * PAGE_SIZE >= int(body.total_count or 0):
                return False
            page += 1

    def _classify(self, error: str, template_code: str) -> SendResult:
        if error in PERMANENT_CODES:
            return SendResult(Outcome.PERMANENT, error_code=error, detail="number refused")
        if error.startswith(RETRY_PREFIXES):
            return SendResult(Outcome.RETRY, error_code=error, detail="flow control")
        if error.startswith("isp."):  # the gateway's own failure: it may have taken the message
            return SendResult(Outcome.UNKNOWN, error_code=error, detail="gateway error")
        self._halt(template_code if error in TEMPLATE_CODES else ACCOUNT, error)
        return SendResult(Outcome.HALTED, error_code=error, detail="account or template refused")

    def _halt(self, scope: str, error: str) -> None:
        with self._lock:
            self._halts[scope] = (time.monotonic() + HALT_SECONDS, error)
        what = f"template {scope}" if scope else "every send"
        log.error(
            "aliyun refused with %s: %s held for %s s (messages stay queued); fix the account, signature or"
            " template at the gateway or in the templates file",
            error,
            what,
            HALT_SECONDS,
        )

    def _held(self, template_code: str) -> str | None:
        """The code that halted this template (or every send), while the halt lasts."""
        now = time.monotonic()
        with self._lock:
            for scope in (ACCOUNT, template_code):
                until, error = self._halts.get(scope, (0.0, ""))
                if now < until:
                    return error
        return None


def gateway_template(sms: OutboundSms, templates: GatewayTemplates) -> tuple[str, dict[str, str]] | SendResult:
    """The template code and the parameters to send, or why the message cannot go through the gateway."""
    found = templates(sms.template, sms.body) if sms.template else None
    if found is None or not found[1]:
        lang = found[0] if found else "?"
        detail = f"template {sms.template} ({lang}) has no aliyun_code in the templates file"
        if not sms.template:
            detail = "free text cannot be sent on this backend"
        return SendResult(Outcome.HALTED, error_code=NO_TEMPLATE, detail=detail)
    lang, code, names = found
    missing = [name for name in names if name not in sms.template_params]
    if missing:
        detail = f"template {sms.template} ({lang}): the message holds no value for {', '.join(missing)}"
        return SendResult(Outcome.HALTED, error_code=NO_TEMPLATE, detail=detail)
    return str(code), {name: str(sms.template_params[name]) for name in names}


def gateway_number(phone: str) -> str:
    """The gateway's form of an E.164 phone: 11 digits for the mainland, country code and number elsewhere."""
    return phone.removeprefix("+86") if phone.startswith("+86") else phone.removeprefix("+")


def endpoint_parts(endpoint: str) -> tuple[str, str]:
    """`dysmsapi.aliyuncs.com` (HTTPS) or a full `http://host:port` URL (a stand-in) as (protocol, host)."""
    if "://" not in endpoint:
        return "https", endpoint
    parts = urlsplit(endpoint)
    return parts.scheme, parts.netloc


def _send_dates(created_at: datetime) -> list[str]:
    """The days (yyyyMMdd, China time) the send may carry: the message's creation day, and today when later
    (a notice held for its window goes out the next morning)."""
    days = [created_at.astimezone(CHINA).strftime("%Y%m%d"), datetime.now(CHINA).strftime("%Y%m%d")]
    return list(dict.fromkeys(days))


def _network_cause(exc: UnretryableException) -> BaseException:
    """The SDK turns the requests error into a RetryError (raised while handling it) inside its wrapper."""
    inner = getattr(exc, "inner_exception", None) or exc
    return inner.__context__ or inner
