"""Liveness with a database check, and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from smsbot.dependencies import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        with runtime().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@bp.get("/metrics")
def metrics() -> Response:
    rt = runtime()
    return Response(rt.metrics.render(rt.sessions), mimetype="text/plain; version=0.0.4; charset=utf-8")
