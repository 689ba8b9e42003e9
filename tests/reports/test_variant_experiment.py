"""A notice experiment end to end with the simulator: 2,000 applicants filed through the API under a lender's
templates file with two weighted notice variants, each assigned at filing; the applicants of variant B confirm
more often by construction. The page reports B ahead with an interval that excludes zero; with equal rates it
says the difference is not yet clear."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from smsbot.models import Application
from smsbot.worker import drain_once
from tests.factories import AUTH, application_payload, new_phone, send_sms
from tests.staff_factories import staff_client

APPLICANTS = 2_000
SHIPPED = Path(__file__).parents[2] / "smsbot/conversation/templates.toml"
# Variant B words the same notice differently; every fixed part (signature, reply keys, hotline, opt-out) stays.
WORDING_B = (
    "{sig}{name}您好：您于{when}提交的{amount}贷款申请已受理，正在审核。信息无误请回1，需要更正请回2。"
    "客服{hotline}，回T退订"
)


def _experiment_file(tmp_path: Path) -> Path:
    shipped = SHIPPED.read_text(encoding="utf-8")
    notice = tomllib.loads(shipped)["notice"]
    variants = {"a": notice["zh"]["text"], "b": WORDING_B}
    tables = "".join(
        f'\n["notice.{name}"]\nweight = 1\nzh.text = {json.dumps(zh, ensure_ascii=False)}\n'
        f"en.text = {json.dumps(notice['en']['text'], ensure_ascii=False)}\n"
        for name, zh in variants.items()
    )
    path = tmp_path / "experiment.toml"
    path.write_text(shipped + tables, encoding="utf-8")
    return path


def _run(app, rt, client, tmp_path: Path, confirm_share: dict[str, float]) -> str:  # type: ignore[no-untyped-def]
    rt.settings.templates_file = str(_experiment_file(tmp_path))
    phones = {}
    for _ in range(APPLICANTS):
        phone = new_phone()
        response = client.post(
            "/api/v1/applications", json=application_payload(applicant={"phone": phone}), headers=AUTH
        )
        assert response.status_code == 201
        phones[response.get_json()["id"]] = phone
    while drain_once(rt.sessions, rt.provider, settings=rt.settings):
        pass
    with rt.sessions() as session:
        assigned = session.execute(select(col(Application.id), col(Application.notice_variant))).all()
    by_variant: dict[str, list[int]] = {}
    for app_id, variant in assigned:
        by_variant.setdefault(variant, []).append(app_id)
    assert set(by_variant) == {"a", "b"} and all(len(ids) > APPLICANTS * 0.4 for ids in by_variant.values())
    for variant, ids in by_variant.items():
        for app_id in ids[: round(len(ids) * confirm_share[variant])]:  # the first share of each group confirms
            assert send_sms(client, phones[app_id], "1").status_code == 200
    return staff_client(app, rt, "carol").get("/staff/reports").get_data(as_text=True)


def _verdict(html: str) -> tuple[float, float, str]:
    row_b = html.split('<tr data-variant="b">', 1)[1].split("</tr>", 1)[0]
    low, high = (float(x) for x in re.search(r"\(([+-][\d.]+) … ([+-][\d.]+)\)", row_b).groups())  # type: ignore[union-attr]
    return low, high, re.search(r"<strong>([^<]+)</strong>", row_b).group(1)  # type: ignore[union-attr]


def test_a_variant_that_confirms_more_often_is_reported_ahead(app, rt, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    low, high, verdict = _verdict(_run(app, rt, client, tmp_path, {"a": 0.30, "b": 0.45}))
    assert 0 < low < 15 < high and verdict == "ahead"  # the true difference, 15 points, inside an interval above 0


def test_equal_rates_are_reported_as_not_yet_clear(app, rt, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    low, high, verdict = _verdict(_run(app, rt, client, tmp_path, {"a": 0.30, "b": 0.30}))
    assert low < 0 < high and verdict == "not yet clear"
