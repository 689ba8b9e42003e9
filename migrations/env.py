"""Alembic environment: smsbot's metadata, batch mode on SQLite, AutoString rendered as plain String."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import String
from sqlmodel.sql.sqltypes import AutoString

from smsbot.config import load_settings
from smsbot.db import make_engine
from smsbot.models import metadata
from smsbot.models.base import UTCDateTime

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Autogenerate would reference sqlmodel's AutoString without importing it; it is a plain VARCHAR.
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):  # the decorator only converts values in Python
        return "sa.DateTime(timezone=True)"
    return False


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().sqlalchemy_url()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
            compare_type=lambda *args: _compare_type(*args),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _compare_type(
    context_: Any, inspected: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    if isinstance(metadata_type, AutoString | String) and isinstance(inspected_type, String):
        return inspected_type.length != metadata_type.length
    return None


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
