"""Fixtures: a real, migrated database per test (SQLite always; PostgreSQL when configured), a fresh app."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from smsbot.app import create_app
from smsbot.cli import alembic_config
from smsbot.config import Settings, load_settings
from smsbot.dependencies import Runtime, build_runtime
from smsbot.models import metadata

POSTGRES_URL = os.environ.get("SMSBOT_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("SMSBOT_REQUIRE_POSTGRES") == "1"
API_TOKEN = "test-api-token"
AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "https://smsbot.example.test"
EVENTS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # Standard Webhooks' own example secret (24 bytes)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("SMSBOT_REQUIRE_POSTGRES=1 but SMSBOT_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per session; each test gets a copy of this file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One database per test process, migrated once, emptied before each test."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured (set SMSBOT_TEST_POSTGRES_URL)")
    # One database per test process (several suites may share a server): worker name plus pid.
    name = f"smsbot_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = create_engine(_sqlalchemy(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = _sqlalchemy(POSTGRES_URL).rsplit("/", 1)[0] + f"/{name}"
    command.upgrade(alembic_config(url), "head")
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlalchemy(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "smsbot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(table.name for table in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url,
        api_token=API_TOKEN,
        twilio_auth_token=AUTH_TOKEN,
        public_url=PUBLIC_URL,
        sms_backend="simulator",
        secret_key="test-secret",
        instance_path=str(tmp_path),
        # Open windows and no pacing unless a test is about them; those tests set their own.
        notice_hours="00:00-24:00",
        reminder_hours="00:00-24:00",
        send_rate=0,
    )


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    runtime = build_runtime(settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def app(settings: Settings, rt: Runtime) -> Flask:
    flask_app = create_app(settings, rt=rt)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
