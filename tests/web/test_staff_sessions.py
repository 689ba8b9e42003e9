"""A session ends for good: logging out or changing the password ends every session of that account, so a
cookie captured before (with its CSRF token) opens nothing and sends nothing."""

from __future__ import annotations

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from smsbot.cli import main
from smsbot.dependencies import Runtime
from tests.factories import application
from tests.staff_factories import PASSWORD, StaffClient, csrf_token, handed_off, login, make_staff

NEW_PASSWORD = "a much longer new passphrase"


def replay(app: Flask, cookie: str) -> FlaskClient:
    """A stranger's browser holding a captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def captured(member: StaffClient) -> str:
    cookie = member.client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def staff_replies(client: FlaskClient, app_id: int) -> list[dict]:
    return [m for m in application(client, app_id)["messages"] if m["kind"] == "staff_reply"]


def assert_opens_and_sends_nothing(app: Flask, client: FlaskClient, cookie: str, token: str, app_id: int) -> None:
    # A fresh replay for each request: the refusal also empties the cookie in the replaying browser.
    page = replay(app, cookie).get(f"/staff/c/{app_id}")
    assert page.status_code == 302 and page.headers["Location"].startswith("/staff/login")
    assert replay(app, cookie).get("/staff/queue", headers={"Accept": "application/json"}).status_code == 401
    form = {"csrf_token": token, "body": "您好，请回复1"}
    sent = replay(app, cookie).post(f"/staff/c/{app_id}/reply", data=form)
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/staff/login")
    assert staff_replies(client, app_id) == []


def test_a_cookie_captured_before_logout_opens_nothing_and_sends_nothing(
    app: Flask, client: FlaskClient, rt: Runtime
) -> None:
    make_staff(rt, "alice")
    alice = StaffClient(app, "alice")
    case = handed_off(client)
    cookie, token = captured(alice), alice.token
    assert replay(app, cookie).get(f"/staff/c/{case['id']}").status_code == 200  # the capture works before
    assert alice.post("/staff/logout").status_code == 303
    assert_opens_and_sends_nothing(app, client, cookie, token, case["id"])


def test_logging_out_ends_the_accounts_sessions_in_every_browser(app: Flask, client: FlaskClient, rt: Runtime) -> None:
    make_staff(rt, "alice")
    make_staff(rt, "bob")
    office, home, bob = StaffClient(app, "alice"), StaffClient(app, "alice"), StaffClient(app, "bob")
    case = handed_off(client)
    home.post("/staff/logout")
    assert_opens_and_sends_nothing(app, client, captured(office), office.token, case["id"])
    assert bob.get("/staff/").status_code == 200  # another account's session is untouched


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(
    app: Flask, client: FlaskClient, rt: Runtime
) -> None:
    make_staff(rt, "alice")
    here, elsewhere = StaffClient(app, "alice"), StaffClient(app, "alice")
    case = handed_off(client)
    old_cookie = captured(here)
    form = {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = here.post("/staff/password", **form)
    assert response.status_code == 303
    assert here.get("/staff/").status_code == 200  # the browser that changed it stays logged in
    assert_opens_and_sends_nothing(app, client, captured(elsewhere), elsewhere.token, case["id"])
    assert_opens_and_sends_nothing(app, client, old_cookie, here.token, case["id"])
    assert login(app.test_client(), "alice").status_code == 401
    assert login(app.test_client(), "alice", NEW_PASSWORD).status_code == 303


def test_a_password_change_needs_the_current_password_and_a_long_new_one(app: Flask, rt: Runtime) -> None:
    make_staff(rt, "alice")
    alice = StaffClient(app, "alice")
    wrong = alice.post("/staff/password", current="not it", new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    short = alice.post("/staff/password", current=PASSWORD, new="short", confirm="short")
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    typo = alice.post("/staff/password", current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    assert typo.status_code == 422 and "do not match" in typo.get_data(as_text=True)
    assert alice.get("/staff/").status_code == 200
    assert login(app.test_client(), "alice").status_code == 303  # nothing changed


def test_the_password_page_needs_a_login_and_a_csrf_token(app: Flask, client: FlaskClient, rt: Runtime) -> None:
    assert client.get("/staff/password").status_code == 302
    make_staff(rt, "alice")
    alice = StaffClient(app, "alice")
    page = alice.get("/staff/password").get_data(as_text=True)
    assert csrf_token(page) and 'name="current"' in page
    form = {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert alice.client.post("/staff/password", data=form).status_code == 400
    assert login(app.test_client(), "alice").status_code == 303


def test_an_operator_resetting_a_password_ends_that_accounts_sessions(
    app: Flask, client: FlaskClient, database_url: str, rt: Runtime
) -> None:
    make_staff(rt, "alice")
    alice = StaffClient(app, "alice")
    case = handed_off(client)
    env = {"DATABASE_URL": database_url}
    result = CliRunner().invoke(main, ["staff", "password", "Alice"], input=NEW_PASSWORD + "\n", env=env)
    assert result.exit_code == 0, result.output
    assert "every session of alice ended" in result.output
    assert_opens_and_sends_nothing(app, client, captured(alice), alice.token, case["id"])
    assert login(app.test_client(), "alice", NEW_PASSWORD).status_code == 303
    unknown = CliRunner().invoke(main, ["staff", "password", "nobody"], input=NEW_PASSWORD + "\n", env=env)
    assert unknown.exit_code == 1 and "no staff account" in unknown.output
