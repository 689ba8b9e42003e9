"""Staff accounts: the CLI, login and logout, throttling, session cookies and the login guard."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.cli import main
from smsbot.dependencies import Runtime
from smsbot.models import LoginThrottle, StaffUser
from tests.staff_factories import PASSWORD, csrf_token, login, make_staff


def test_staff_add_reads_the_password_from_stdin_and_stores_an_argon2_hash(database_url: str, rt: Runtime) -> None:
    result = CliRunner().invoke(
        main, ["staff", "add", "Alice", "--role", "admin"], input=PASSWORD + "\n", env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "alice (admin) created" in result.output
    with rt.sessions() as session:
        user = session.execute(select(StaffUser)).scalar_one()
    assert (user.username, user.role) == ("alice", "admin")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_staff_add_refuses_a_short_password_a_taken_name_and_an_unknown_role(database_url: str, rt: Runtime) -> None:
    runner, env = CliRunner(), {"DATABASE_URL": database_url}
    assert runner.invoke(main, ["staff", "add", "bob"], input="short\n", env=env).exit_code == 1
    assert runner.invoke(main, ["staff", "add", "bob"], input=PASSWORD + "\n", env=env).exit_code == 0
    taken = runner.invoke(main, ["staff", "add", "bob"], input=PASSWORD + "\n", env=env)
    assert taken.exit_code == 1 and "taken" in taken.output
    assert runner.invoke(main, ["staff", "add", "eve", "--role", "root"], input=PASSWORD, env=env).exit_code == 2


def test_staff_pages_send_a_stranger_to_the_login_form(client: FlaskClient) -> None:
    response = client.get("/staff/c/1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=/staff/c/1")
    assert client.get("/staff/queue", headers={"Accept": "application/json"}).status_code == 401


def test_login_sets_a_hardened_session_cookie_and_lands_on_the_queue(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    response = login(client, "alice")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie  # the public URL is https
    assert client.get("/staff/").status_code == 200


def test_the_session_cookie_is_not_secure_when_the_public_url_is_plain_http(rt: Runtime) -> None:
    from smsbot.app import create_app

    plain = create_app(rt.settings.model_copy(update={"public_url": "http://127.0.0.1:5000"}), rt=rt)
    assert plain.config["SESSION_COOKIE_SECURE"] is False


def test_a_wrong_password_or_unknown_user_gets_the_same_answer(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    wrong = login(client, "alice", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.get_data(as_text=True)
    assert "Wrong username or password" in unknown.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_against_the_right_password(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    for _ in range(4):
        assert login(client, "alice", "guess").status_code == 401
    locked = login(client, "alice")
    assert locked.status_code == 429
    assert "Try again in" in locked.get_data(as_text=True)
    with rt.sessions() as session:
        user = session.execute(select(StaffUser)).scalar_one()
    assert user.failed_logins == 4 and user.locked_until is not None


def test_many_failures_from_one_address_slow_down_every_username(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    for i in range(11):
        assert login(client, f"user{i}", "guess", REMOTE_ADDR="10.9.8.7").status_code == 401
    assert login(client, "alice", REMOTE_ADDR="10.9.8.7").status_code == 429
    assert login(client, "alice", REMOTE_ADDR="10.9.8.8").status_code == 303  # another address is unaffected


def test_a_successful_login_resets_the_failure_count(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    for _ in range(3):
        login(client, "alice", "guess")
    assert login(client, "alice").status_code == 303
    with rt.sessions() as session:
        assert session.execute(select(StaffUser)).scalar_one().failed_logins == 0


def test_login_without_a_csrf_token_is_refused(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    response = client.post("/staff/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_login_never_redirects_to_another_site(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": "alice", "password": PASSWORD, "next": "//evil.example/staff/"}
    assert client.post("/staff/login", data=form).headers["Location"] == "/staff/"


@pytest.mark.parametrize(
    "target",
    [
        "/staff/c/1\r\nSet-Cookie: staff=1",
        "/staff/c/1\n",
        "/staff/\x00",
        "https://evil.example/staff/",
        "http:/staff/",
        "//evil.example/staff/",
        "/\\evil.example/staff/",
        "/staff/../dev/phone",
        "/staff/\t/evil.example",
        "staff/",
    ],
)
def test_login_refuses_a_next_that_is_not_one_of_our_staff_pages(client: FlaskClient, rt: Runtime, target: str) -> None:
    make_staff(rt, "alice")
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": "alice", "password": PASSWORD, "next": target}
    response = client.post("/staff/login", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    page = client.get("/staff/login", query_string={"next": target})
    assert page.status_code == 200 and 'name="next" value="/staff/"' in page.get_data(as_text=True)


def test_login_keeps_a_next_that_is_one_of_our_staff_pages(client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": "alice", "password": PASSWORD, "next": "/staff/c/7?lang=zh"}
    assert client.post("/staff/login", data=form).headers["Location"] == "/staff/c/7?lang=zh"


def test_logout_needs_a_csrf_token_and_ends_the_session(app: Flask, client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    login(client, "alice")
    assert client.post("/staff/logout").status_code == 400
    token = csrf_token(client.get("/staff/").get_data(as_text=True))
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/staff/").status_code == 302


def test_simultaneous_failures_from_a_new_address_are_all_counted(app: Flask, rt: Runtime) -> None:
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def attempt(i: int) -> None:
        own = app.test_client()
        own.application.config["STAFF_FAILED_LOGIN_DELAY"] = 0
        token = csrf_token(own.get("/staff/login").get_data(as_text=True))
        barrier.wait()
        form = {"csrf_token": token, "username": f"nobody{i}", "password": "guess"}
        statuses.append(own.post("/staff/login", data=form, environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * 6
    with rt.sessions() as session:
        assert session.get(LoginThrottle, "10.1.1.1").failures == 6  # type: ignore[union-attr]


def test_staff_add_on_an_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = CliRunner().invoke(main, ["staff", "add", "alice"], input=PASSWORD + "\n", env=env)
    assert result.exit_code == 1 and "smsbot db upgrade" in result.output
