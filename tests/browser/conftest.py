"""Browser fixtures: the real app served over HTTP in a thread, and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium these tests are skipped, unless SMSBOT_REQUIRE_BROWSER=1 (CI), where they fail."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("SMSBOT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"SMSBOT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing; set SMSBOT_REQUIRE_BROWSER=1 to make this a failure")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_app(settings: Settings, rt: Runtime) -> Flask:
    # Plain http on 127.0.0.1: the session cookie must not be Secure-only here.
    plain = settings.model_copy(update={"public_url": "http://127.0.0.1"})
    app = create_app(plain, rt=Runtime(plain, rt.engine, rt.sessions, rt.provider))
    app.config["STAFF_POLL_SECONDS"] = 1
    return app


@pytest.fixture
def base_url(live_app: Flask) -> Iterator[str]:
    """Serve the app on a free port for the length of one test."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
