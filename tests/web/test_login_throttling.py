"""Login throttling that holds against parallel guesses (each attempt is counted before its password is checked)
and an address counter that only the account it counted forgives."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.dependencies import Runtime
from smsbot.models import LoginThrottle, StaffUser
from smsbot.staff.throttle import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES
from tests.staff_factories import csrf_token, login, make_staff


def guess_in_parallel(app: Flask, attempts: list[tuple[str, str, str]]) -> list[int]:
    """Each (username, password, address) from its own browser, all posted at the same moment."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []

    def attempt(username: str, password: str, address: str) -> None:
        own = app.test_client()
        token = csrf_token(own.get("/staff/login").get_data(as_text=True))
        form = {"csrf_token": token, "username": username, "password": password}
        barrier.wait()
        statuses.append(own.post("/staff/login", data=form, environ_base={"REMOTE_ADDR": address}).status_code)

    app.config["STAFF_FAILED_LOGIN_DELAY"] = 0
    threads = [threading.Thread(target=attempt, args=guess) for guess in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def address_failures(rt: Runtime, address: str) -> int:
    with rt.sessions() as session:
        throttle = session.get(LoginThrottle, address)
        return throttle.failures if throttle else 0


def test_parallel_guesses_at_one_account_check_no_more_passwords_than_guesses_in_a_row(app: Flask, rt: Runtime) -> None:
    make_staff(rt, "alice")
    statuses = guess_in_parallel(app, [("alice", f"guess {i}", f"10.2.0.{i}") for i in range(12)])
    checked = ACCOUNT_FREE_FAILURES + 1  # in a row: 3 free, the 4th checked and locks
    assert statuses == [401] * checked + [429] * (12 - checked)
    with rt.sessions() as session:
        user = session.execute(select(StaffUser)).scalar_one()
    assert user.failed_logins == checked and user.locked_until is not None


def test_parallel_guesses_from_one_address_over_many_usernames_hold_the_address_limit(app: Flask, rt: Runtime) -> None:
    statuses = guess_in_parallel(app, [(f"nobody{i}", "guess", "10.3.0.1") for i in range(15)])
    checked = ADDRESS_FREE_FAILURES + 1
    assert statuses == [401] * checked + [429] * (15 - checked)
    assert address_failures(rt, "10.3.0.1") == checked


def test_a_success_on_another_account_does_not_reset_the_address_counter(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    make_staff(rt, "mallory")
    here = {"REMOTE_ADDR": "10.4.0.1"}
    for i in range(ADDRESS_FREE_FAILURES):
        assert login(client, f"victim{i}", "guess", **here).status_code == 401
    assert login(client, "mallory", **here).status_code == 303  # the attacker's own account
    assert address_failures(rt, "10.4.0.1") == ADDRESS_FREE_FAILURES
    assert login(client, "victim", "guess", **here).status_code == 401  # the 11th: locks the address
    assert login(client, "alice", **here).status_code == 429
    assert login(client, "alice", REMOTE_ADDR="10.4.0.2").status_code == 303


def test_a_success_forgives_the_addresss_failures_on_that_account_only(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    here = {"REMOTE_ADDR": "10.5.0.1"}
    assert login(client, "bob", "guess", **here).status_code == 401
    for _ in range(2):
        assert login(client, "alice", "typo", **here).status_code == 401
    assert address_failures(rt, "10.5.0.1") == 3
    assert login(client, "alice", **here).status_code == 303
    assert address_failures(rt, "10.5.0.1") == 1  # alice's typos are forgiven, the guess at bob is not
    with rt.sessions() as session:
        assert session.execute(select(StaffUser)).scalar_one().failed_logins == 0


def test_an_unknown_username_costs_a_password_check_too(
    client: FlaskClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smsbot.staff import accounts

    checks: list[str] = []
    real = accounts._password_matches

    def counted(stored: str | None, password: str) -> bool:
        checks.append(password)
        return real(stored, password)

    monkeypatch.setattr(accounts, "_password_matches", counted)
    assert login(client, "nobody", "guess").status_code == 401
    assert checks == ["guess"]  # no faster answer that would tell a stranger the username does not exist
