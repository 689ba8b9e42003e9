"""Plain helpers for staff-inbox tests: accounts, logged-in clients that carry a CSRF token, handoffs."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from smsbot.dependencies import Runtime
from smsbot.staff.accounts import create_staff
from tests.factories import application, file, send_sms

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_staff(rt: Runtime, username: str, *, role: str = "agent") -> int:
    return create_staff(rt.sessions, username, PASSWORD, role=role)


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **environ: Any) -> TestResponse:
    """Log in through the form, as a browser does (CSRF token included)."""
    client.application.config["STAFF_FAILED_LOGIN_DELAY"] = 0
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": password}
    return client.post("/staff/login", data=form, environ_base=environ)


class StaffClient:
    """A logged-in staff member's browser: posts forms with the session's CSRF token."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        self.username = username
        assert login(self.client, username).status_code == 303
        self.token = csrf_token(self.client.get("/staff/").get_data(as_text=True))

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **form: str) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token, **form})

    def act(self, app_id: int, action: str, **form: str) -> TestResponse:
        return self.post(f"/staff/c/{app_id}/{action}", **form)

    def page(self, app_id: int) -> str:
        return self.get(f"/staff/c/{app_id}").get_data(as_text=True)


def staff_client(app: Flask, rt: Runtime, username: str, *, role: str = "agent") -> StaffClient:
    make_staff(rt, username, role=role)
    return StaffClient(app, username)


def handed_off(client: FlaskClient, *replies: str, **overrides: Any) -> dict[str, Any]:
    """File an application and reply until it needs a person (default: the applicant asks for one)."""
    filed = file(client, **overrides)
    for reply in replies or ("转人工",):
        assert send_sms(client, filed["applicant"]["phone"], reply).status_code == 200
    found = application(client, filed["id"])
    assert found["state"] == "handed_off", found["state"]
    return found
