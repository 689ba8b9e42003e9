"""Event fixtures: settings with events on (quick retries), an app and client on them, the lender's receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime, build_runtime
from tests.conftest import EVENTS_SECRET
from tests.events.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def events_settings(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(
        update={
            "events_url": receiver.url,
            "events_secret": EVENTS_SECRET,
            "events_timeout_seconds": 0.5,
            "events_backoff_seconds": 0.05,
            "events_backoff_max_seconds": 0.4,
            "worker_poll_seconds": 0.02,
        }
    )


@pytest.fixture
def ert(events_settings: Settings) -> Iterator[Runtime]:
    runtime = build_runtime(events_settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def eapp(events_settings: Settings, ert: Runtime) -> Flask:
    flask_app = create_app(events_settings, rt=ert)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def eclient(eapp: Flask) -> FlaskClient:
    return eapp.test_client()
