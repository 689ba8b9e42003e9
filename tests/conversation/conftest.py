"""`on`: a conversation test run on each provider, the app built for its backend and its stand-in running."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime, build_runtime
from tests.channels import CHANNELS, Channel


@dataclass
class OnChannel:
    """The test client of an app on one provider's backend, and how that provider delivers a reply."""

    client: FlaskClient
    channel: Channel
    rt: Runtime

    def reply(self, phone: str, *texts: str) -> None:
        for text in texts:
            self.channel.reply(self.client, phone, text)


@pytest.fixture(params=sorted(CHANNELS))
def on(request: pytest.FixtureRequest, settings: Settings) -> Iterator[OnChannel]:
    channel = CHANNELS[request.param]
    with channel.standin() as (_, backend):
        runtime = build_runtime(settings.model_copy(update=backend))
        flask_app = create_app(runtime.settings, rt=runtime)
        flask_app.config["TESTING"] = True
        yield OnChannel(flask_app.test_client(), channel, runtime)
        runtime.engine.dispose()
