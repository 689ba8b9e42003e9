"""What a running app or worker holds: settings, the engine, the session factory, the SMS provider."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import configure_mappers, sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.db import make_engine, make_session_factory
from smsbot.delivery.providers.base import SmsProvider
from smsbot.metrics import Metrics


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    provider: SmsProvider
    metrics: Metrics = field(default_factory=Metrics)


def build_runtime(settings: Settings) -> Runtime:
    configure_mappers()  # at start-up, not inside the first request that touches the ORM (tens of ms)
    engine = make_engine(settings.sqlalchemy_url())
    return Runtime(settings, engine, make_session_factory(engine), make_provider(settings))


def make_provider(settings: Settings) -> SmsProvider:
    if settings.backend == "twilio":
        from smsbot.delivery.providers.twilio import TwilioProvider

        return TwilioProvider(settings)
    if settings.backend == "aliyun":
        from smsbot.conversation.texts import gateway_templates
        from smsbot.delivery.providers.aliyun import AliyunProvider

        return AliyunProvider(settings, gateway_templates(settings.templates_file))
    from smsbot.delivery.providers.simulator import SimulatorProvider

    return SimulatorProvider()


def runtime() -> Runtime:
    """The runtime of the current Flask app."""
    return current_app.extensions["smsbot"]


def init_app(app: Flask, rt: Runtime) -> None:
    app.extensions["smsbot"] = rt
