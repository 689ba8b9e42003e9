"""`create_app()` is the one place the app is assembled."""

from __future__ import annotations

import logging

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from smsbot.config import Settings, load_settings
from smsbot.runtime import Runtime, build_runtime, init_app

MAX_REQUEST_BYTES = 256 * 1024
csrf = CSRFProtect()


def create_app(settings: Settings | None = None, *, rt: Runtime | None = None) -> Flask:
    """Build the Flask app from `settings` (default: the environment)."""
    settings = settings or (rt.settings if rt else load_settings())
    app = Flask(__name__, instance_path=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    init_app(app, rt or build_runtime(settings))
    csrf.init_app(app)
    _register_blueprints(app, settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # transitions logs every state exit and entry at INFO: three lines per reply that say nothing our own
    # transition records do not, and cost a tenth of a webhook's time.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    return app


def _register_blueprints(app: Flask, settings: Settings) -> None:
    from smsbot.web import api, health, webhooks

    for blueprint in (api.bp, webhooks.bp):
        csrf.exempt(blueprint)  # authenticated by bearer token and by signature, not by cookie
        app.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    if settings.backend == "simulator":
        from smsbot.web import dev_phone

        app.register_blueprint(dev_phone.bp)
