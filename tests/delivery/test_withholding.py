"""The last look before a claimed text goes (`delivery.withholding`): a batch that waited looks again, once for
all its claims still waiting, so an opt-out or an answer that arrived after the claim stops the text."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import event

from smsbot.db import transaction
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.withholding import Withholding
from smsbot.dependencies import Runtime
from smsbot.models import utcnow
from tests.factories import file, send_sms


def claim_notices(client: FlaskClient, rt: Runtime, count: int) -> list[Claim]:
    for _ in range(count):
        file(client)
    with transaction(rt.sessions) as session:
        claims = claim_due(session, settings=rt.settings, limit=50, now=utcnow())
    assert [claim.kind for claim in claims] == ["notice"] * count
    return claims


def count_queries(rt: Runtime) -> list[str]:
    seen: list[str] = []
    event.listen(rt.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_batch_that_waited_looks_again_once_for_all_its_claims(client: FlaskClient, rt: Runtime) -> None:
    first, second, third = claim_notices(client, rt, 3)
    send_sms(client, first.sms.phone, "STOP")  # opted out after the claim
    send_sms(client, second.sms.phone, "1")  # answered: the notice is no longer wanted
    withholding = Withholding(rt.sessions, [first, second, third], claimed_at=utcnow() - timedelta(seconds=5))
    queries = count_queries(rt)
    now = utcnow()
    reasons = [withholding.reason(claim, now) for claim in (first, second, third)]
    assert reasons == ["opted_out", "outdated", None]
    assert len([q for q in queries if q.lstrip().upper().startswith("SELECT")]) == 2  # one look for the batch


def test_a_fresh_claim_is_not_looked_at_again(client: FlaskClient, rt: Runtime) -> None:
    [claim] = claim_notices(client, rt, 1)
    withholding = Withholding(rt.sessions, [claim], claimed_at=utcnow())
    queries = count_queries(rt)
    assert withholding.reason(claim, utcnow()) is None
    assert queries == []


def test_the_look_is_taken_again_once_it_is_old(client: FlaskClient, rt: Runtime) -> None:
    first, second = claim_notices(client, rt, 2)
    started = utcnow() - timedelta(seconds=5)
    withholding = Withholding(rt.sessions, [first, second], claimed_at=started)
    assert withholding.reason(first, utcnow()) is None  # looked: nobody has opted out yet
    send_sms(client, second.sms.phone, "退订")
    assert withholding.reason(second, utcnow() + timedelta(seconds=1)) == "opted_out"
