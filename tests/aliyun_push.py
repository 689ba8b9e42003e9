"""Pushes as Alibaba Cloud SMS makes them: JSON arrays POSTed to the URLs a lender registers, over real HTTP.
Element builders write what the gateway's SmsUp and SmsReport formats hold (11-digit mainland phones)."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

import requests

_sequence_ids = itertools.count(900_000_001)
TIMEOUT = 30


def push_replies(url: str, elements: list[Any]) -> requests.Response:
    """POST one SmsUp batch to `url`, as the gateway does."""
    return requests.post(url, json=elements, timeout=TIMEOUT)


def push_reports(url: str, elements: list[Any]) -> requests.Response:
    """POST one SmsReport batch to `url`, as the gateway does."""
    return requests.post(url, json=elements, timeout=TIMEOUT)


def national(phone: str) -> str:
    """+8613800138000 as the gateway writes it: 13800138000."""
    assert phone.startswith("+86"), phone
    return phone.removeprefix("+86")


def reply_element(phone: str, content: str, sequence_id: int | None = None) -> dict[str, Any]:
    return {
        "phone_number": national(phone),
        "send_time": "2026-12-04 10:15:00",
        "content": content,
        "sign_name": "示例农商银行",
        "dest_code": "1234",
        "sequence_id": sequence_id if sequence_id is not None else next(_sequence_ids),
    }


def report_element(
    phone: str, *, success: bool, biz_id: str | None = None, out_id: int | None = None, err_code: str = "DELIVERED"
) -> dict[str, Any]:
    return {
        "phone_number": national(phone),
        "send_time": "2026-12-04 10:15:00",
        "report_time": "2026-12-04 10:15:08",
        "success": success,
        "err_code": err_code,
        "err_msg": "用户接收成功" if success else "失败",
        "sms_size": "1",
        "biz_id": biz_id or f"{secrets.randbelow(10**18)}^0",
        "out_id": "" if out_id is None else str(out_id),
    }
