"""The funnel by notice variant on the page: B ahead when it confirms far more often, "not yet clear" when the
rates are equal. Variants are assigned at filing by the templates file; here the stored column is set directly."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import col

from smsbot.models import Application
from smsbot.worker import drain_once
from tests.factories import file, send_sms
from tests.staff_factories import staff_client


def _experiment(app, rt, client, confirms: dict[str, int], size: int = 12) -> str:  # type: ignore[no-untyped-def]
    filed = {variant: [file(client) for _ in range(size)] for variant in confirms}
    with rt.sessions() as session, session.begin():
        for variant, rows in filed.items():
            ids = [row["id"] for row in rows]
            session.execute(update(Application).where(col(Application.id).in_(ids)).values(notice_variant=variant))
    drain_once(rt.sessions, rt.provider, settings=rt.settings)
    for variant, rows in filed.items():
        for row in rows[: confirms[variant]]:
            assert send_sms(client, row["applicant"]["phone"], "1").status_code == 200
    return staff_client(app, rt, "carol").get("/staff/reports").get_data(as_text=True)


@pytest.mark.parametrize(("confirms", "verdict"), [({"a": 2, "b": 11}, "ahead"), ({"a": 6, "b": 6}, "not yet clear")])
def test_the_page_compares_variants_and_says_when_it_is_not_yet_clear(app, rt, client, confirms, verdict) -> None:  # type: ignore[no-untyped-def]
    html = _experiment(app, rt, client, confirms)
    row_b = html.split('<tr data-variant="b">', 1)[1].split("</tr>", 1)[0]
    assert f"<strong>{verdict}</strong>" in row_b
    assert '<tr data-variant="a">' in html
