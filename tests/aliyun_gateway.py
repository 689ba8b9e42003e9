"""A local stand-in of Alibaba Cloud SMS (Dysmsapi 2017-05-25) over real HTTP, for tests, the bench and a
laptop (`python -m tests.aliyun_gateway --port 8790`).

It checks each request's signature exactly as the gateway does for the SDK's default scheme
(ACS3-HMAC-SHA256: the canonical request of method, path, sorted query, signed headers and the body's hash;
HMAC-SHA256 with the secret) and answers a wrong one with the gateway's error JSON. `SendSms` records the
message and answers a BizId; `QuerySendDetails` answers from what it recorded (phone, SendDate in China time,
pages). Errors can be injected per phone or for the next calls, answers delayed, and a send accepted and then
left without an answer past the client's timeout. `push_reports` / `push_replies` post the gateway's SmsReport
and SmsUp JSON arrays to a URL, as the gateway pushes them (no signature)."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit
from zoneinfo import ZoneInfo

import requests

ACCESS_KEY_ID = "LTAI5tStandInKeyId000001"
ACCESS_KEY_SECRET = "stand-in-access-key-secret-0001"
VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"
CHINA = ZoneInfo("Asia/Shanghai")
CLOCK_SKEW = timedelta(minutes=15)  # the gateway refuses an x-acs-date further off than this
# Refusals that are an HTTP error at the gateway (the rest are HTTP 200 with a Code).
HTTP_ERRORS = {"SignatureDoesNotMatch": 400, "InvalidAccessKeyId.NotFound": 404, "Throttling.User": 400}
STATS_PATH = "/_control/stats"
REQUIRED = {
    "SendSms": ("PhoneNumbers", "SignName", "TemplateCode"),
    "QuerySendDetails": ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"),
}


@dataclass
class Sent:
    phone: str
    sign_name: str
    template_code: str
    params: dict[str, str]
    out_id: str | None
    biz_id: str
    at: datetime


@dataclass
class Faults:
    by_phone: dict[str, str] = field(default_factory=dict)  # phone -> error code on every send to it
    next_errors: list[str] = field(default_factory=list)  # error codes for the next sends, in order
    every_send: str | None = None  # an error code for every send until cleared (None)
    delay: float = 0.0  # seconds before every answer
    hang_after_accept: int = 0  # the next sends are recorded and then answered only after `hang_seconds`
    hang_seconds: float = 3.0


class AliyunGateway:
    """Start with `with AliyunGateway() as gateway:`; point ALIYUN_SMS_ENDPOINT at `gateway.base_url`."""

    def __init__(self, access_key_id: str = ACCESS_KEY_ID, access_key_secret: str = ACCESS_KEY_SECRET, port: int = 0):
        self.keys = {access_key_id: access_key_secret}
        self.faults = Faults()
        self.sent: list[Sent] = []
        self.calls: Counter[str] = Counter()  # action -> signed calls answered (errors included)
        self.refused: list[str] = []  # codes of requests refused before any action (signature, key, ...)
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._biz = itertools.count(int(time.time() * 1000) % 10**9 * 10**9)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a hung answer never holds up stop()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> AliyunGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # The controls a test uses.
    def fail_to(self, phone: str, code: str) -> None:
        """Every send to `phone` (11 digits or E.164) is refused with `code`."""
        self.faults.by_phone[national(phone)] = code

    def fail_next(self, *codes: str) -> None:
        self.faults.next_errors.extend(codes)

    def fail_all(self, code: str | None) -> None:
        """Every send is refused with `code` until `fail_all(None)`."""
        self.faults.every_send = code

    def sends_to(self, phone: str) -> list[Sent]:
        with self._lock:
            return [sent for sent in self.sent if sent.phone == national(phone)]

    # The gateway.
    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"sent": len(self.sent), "distinct_out_ids": len({sent.out_id for sent in self.sent})}

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if urlsplit(target).path == STATS_PATH:  # the stand-in's own, unsigned: what a process run received
            return 200, dict(self.stats())
        query = parse_query(urlsplit(target).query)
        refusal = self._check_signature(method, urlsplit(target).path or "/", query, headers, body)
        if refusal is not None:
            with self._lock:
                self.refused.append(refusal[0])
            return error(*refusal)
        action = headers.get("x-acs-action", "")
        with self._lock:
            self.calls[action] += 1
        form = dict(parse_query(body.decode()) if body else {}) | query
        if action not in REQUIRED:
            return error("InvalidAction.NotFound", f"Specified api is not found: {action}", 404)
        missing = [name for name in REQUIRED[action] if not form.get(name)]
        if missing:
            return error(f"MissingParameter.{missing[0]}", f"{missing[0]} is mandatory for this action.", 400)
        if self.faults.delay:
            time.sleep(self.faults.delay)
        return self._send_sms(form) if action == "SendSms" else self._query(form)

    def _send_sms(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        phone = form["PhoneNumbers"]
        with self._lock:
            code = self.faults.next_errors.pop(0) if self.faults.next_errors else self.faults.by_phone.get(phone)
            code = code or self.faults.every_send
        if code is None and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            code = "isv.MOBILE_NUMBER_ILLEGAL"
        if code is None:
            code = _template_refusal(form)
        if code is not None:
            status = HTTP_ERRORS.get(code, 200)
            return (status, _refusal(code)) if status != 200 else (200, {"Code": code, "Message": code} | _ids())
        params = json.loads(form.get("TemplateParam") or "{}")
        biz_id = f"{next(self._biz)}^0"
        sent = Sent(phone, form["SignName"], form["TemplateCode"], params, form.get("OutId"), biz_id, now())
        with self._lock:
            self.sent.append(sent)
            hang = self.faults.hang_after_accept > 0
            self.faults.hang_after_accept -= 1 if hang else 0
        if hang:  # accepted, and the answer comes too late for the client
            time.sleep(self.faults.hang_seconds)
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id} | _ids()

    def _query(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        size, page = int(form["PageSize"]), int(form["CurrentPage"])
        if not 1 <= size <= 50 or page < 1 or len(form["SendDate"]) != 8:
            return 200, {"Code": "isv.INVALID_PARAMETERS", "Message": "parameters are invalid"} | _ids()
        with self._lock:
            found = [
                sent
                for sent in self.sent
                if sent.phone == form["PhoneNumber"]
                and sent.at.astimezone(CHINA).strftime("%Y%m%d") == form["SendDate"]
                and form.get("BizId") in (None, "", sent.biz_id)
            ]
        shown = found[(page - 1) * size : page * size]
        dtos = [_detail(sent) for sent in shown]
        return 200, {"Code": "OK", "Message": "OK", "TotalCount": len(found)} | _ids() | {
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}
        }

    def _check_signature(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[str, str, int] | None:
        """None when the request is signed as the SDK signs it with a known key; else the gateway's refusal."""
        algorithm, _, fields = headers.get("authorization", "").partition(" ")
        parts = dict(part.split("=", 1) for part in fields.split(",") if "=" in part)
        if algorithm != ALGORITHM or not {"Credential", "SignedHeaders", "Signature"} <= parts.keys():
            return "IncompleteSignature", "The request signature does not conform to Aliyun standards.", 400
        secret = self.keys.get(parts["Credential"])
        if secret is None:
            return "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404
        if headers.get("x-acs-version") != VERSION:
            return "InvalidVersion", "Specified parameter Version is not valid.", 400
        try:
            stamp = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.", 400
        if abs(now() - stamp) > CLOCK_SKEW:
            return "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400
        payload = hashlib.sha256(body).hexdigest()
        if headers.get("x-acs-content-sha256") != payload:
            return "InvalidParameter.ContentSHA256", "The x-acs-content-sha256 does not match the body.", 400
        signed = parts["SignedHeaders"].split(";")
        if not {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"} <= set(signed):
            return "IncompleteSignature", "Required headers are not signed.", 400
        canonical = "\n".join(
            [
                method,
                path,
                canonical_query(query),
                "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed),
                ";".join(signed),
                payload,
            ]
        )
        to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts["Signature"]):
            return "SignatureDoesNotMatch", "Specified signature does not match our calculation.", 400
        nonce = headers.get("x-acs-signature-nonce", "")
        with self._lock:
            if nonce in self._nonces:
                return "SignatureNonceUsed", "Specified signature nonce was used already.", 400
            self._nonces.add(nonce)
        return None


def _handler(gateway: AliyunGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go as two writes: no 40 ms wait for a delayed ACK

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = gateway.answer(self.command, self.path, headers, body)
            data = json.dumps(answer, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a hung answer)
                self.close_connection = True

        do_POST = do_GET = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _template_refusal(form: dict[str, str]) -> str | None:
    """The gateway's own checks of what it can see without the approved template: the JSON of the values."""
    try:
        params = json.loads(form.get("TemplateParam") or "{}")
    except json.JSONDecodeError:
        return "isv.INVALID_JSON_PARAM"
    if not isinstance(params, dict) or not all(isinstance(value, str) for value in params.values()):
        return "isv.INVALID_JSON_PARAM"
    return None


def _detail(sent: Sent) -> dict[str, Any]:
    local = sent.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return {
        "PhoneNum": sent.phone,
        "SendStatus": 3,  # 1 waiting for the report, 2 failed, 3 delivered
        "ErrCode": "DELIVERED",
        "TemplateCode": sent.template_code,
        "Content": f"【{sent.sign_name}】" + " ".join(sent.params.values()),
        "SendDate": local,
        "ReceiveDate": local,
        "OutId": sent.out_id,
    }


def _ids() -> dict[str, str]:
    return {"RequestId": secrets.token_hex(16).upper()}


def _refusal(code: str, message: str | None = None) -> dict[str, Any]:
    return {"Code": code, "Message": message or code, "HostId": "dysmsapi.aliyuncs.com", "Recommend": ""} | _ids()


def error(code: str, message: str, status: int) -> tuple[int, dict[str, Any]]:
    return status, _refusal(code, message)


def parse_query(raw: str) -> dict[str, str]:
    """Query pairs as sent, form-decoded (the SDK's URL encodes a space as `+`, a plus as %2B)."""
    pairs = (pair.partition("=") for pair in raw.split("&") if pair)
    return {unquote_plus(key): unquote_plus(value) for key, _, value in pairs}


def canonical_query(query: dict[str, str]) -> str:
    return "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))


def national(phone: str) -> str:
    return phone.removeprefix("+86")


def now() -> datetime:
    return datetime.now(UTC)


def push_reports(url: str, elements: list[dict[str, Any]], timeout: float = 10.0) -> requests.Response:
    """POST a batch of SmsReport elements as the gateway pushes them: a JSON array, unsigned."""
    return requests.post(url, json=elements, timeout=timeout)


def push_replies(url: str, elements: list[dict[str, Any]], timeout: float = 10.0) -> requests.Response:
    """POST a batch of SmsUp elements (replies) as the gateway pushes them."""
    return requests.post(url, json=elements, timeout=timeout)


def report_element(sent: Sent, *, success: bool = True, err_code: str = "DELIVERED") -> dict[str, Any]:
    """The SmsReport element the gateway pushes for one recorded send."""
    local = sent.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return {
        "phone_number": sent.phone,
        "send_time": local,
        "report_time": local,
        "success": success,
        "err_code": err_code,
        "err_msg": "用户接收成功" if success else err_code,
        "sms_size": "1",
        "biz_id": sent.biz_id,
        "out_id": sent.out_id,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="A local stand-in of Alibaba Cloud SMS for a laptop run.")
    parser.add_argument("--port", type=int, default=8790, help="0: any free port (the first line names it)")
    parser.add_argument("--access-key-id", default=ACCESS_KEY_ID)
    parser.add_argument("--access-key-secret", default=ACCESS_KEY_SECRET)
    parser.add_argument("--quiet", action="store_true", help="do not print each SendSms")
    args = parser.parse_args()
    gateway = AliyunGateway(args.access_key_id, args.access_key_secret, port=args.port)
    print(f"Alibaba Cloud SMS stand-in at {gateway.base_url} (key id {args.access_key_id})", flush=True)
    with gateway:
        seen = 0
        try:
            while True:
                time.sleep(0.5)
                for sent in [] if args.quiet else gateway.sent[seen:]:
                    print(f"SendSms {sent.phone} {sent.template_code} {sent.params} OutId={sent.out_id}", flush=True)
                seen = len(gateway.sent)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
