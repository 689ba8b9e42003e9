"""Concurrent replies from one applicant are serialised on SQLite and PostgreSQL (promise 3)."""

from __future__ import annotations

import threading

from flask import Flask

from tests.factories import application, file, send_sms


def test_concurrent_replies_from_one_phone_are_serialised(app: Flask) -> None:
    client = app.test_client()
    filed = file(client)
    phone = filed["applicant"]["phone"]
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def reply(text: str) -> None:
        own = app.test_client()
        barrier.wait()
        statuses.append(send_sms(own, phone, text).status_code)

    # Eight ambiguous replies at once: each must see the previous one's re-prompt count.
    threads = [threading.Thread(target=reply, args=(text,)) for text in ["好的", "ok", "嗯", "收到"] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = application(client, filed["id"])
    assert statuses == [200] * 8
    assert sum(m["direction"] == "in" for m in result["messages"]) == 8
    moves = [t["event"] for t in result["transitions"][1:]]
    assert moves == ["reprompt", "hand_off"]  # one re-prompt, one handoff, then silence: no lost updates
    assert result["state"] == "handed_off"


def test_the_same_message_sid_delivered_twice_at_once_has_one_effect(app: Flask) -> None:
    client = app.test_client()
    filed = file(client)
    barrier = threading.Barrier(4)

    def deliver() -> None:
        own = app.test_client()
        barrier.wait()
        assert send_sms(own, filed["applicant"]["phone"], "2", sid="SM" + "b" * 32).status_code == 200

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = application(client, filed["id"])
    assert sum(m["direction"] == "in" for m in result["messages"]) == 1
    assert [t["event"] for t in result["transitions"]] == ["file", "ask_field"]
