"""The lender's JSON API: file applications and read their state."""

from __future__ import annotations

import hmac
import json
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import col
from werkzeug.exceptions import HTTPException

from smsbot.conversation.decisions import DecisionRefused, record_decision
from smsbot.conversation.phone_changes import PhoneChangeRefused, change_phone_by_api
from smsbot.dependencies import runtime
from smsbot.intake.filing import ApplicationIn, Conflict, file_application
from smsbot.intake.lender_requests import DecisionIn, PhoneChangeIn
from smsbot.intake.openapi import OPENAPI
from smsbot.intake.public_view import detail, summary
from smsbot.models import Application
from states.conversation_states import State

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_JSON_DEPTH = 16  # a filing is three levels deep; deeper input is an attack on the parser, not a filing


@bp.before_request
def _require_token() -> tuple[Response, int] | None:
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    token = runtime().settings.api_token
    if not (header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode())):
        return _error(401, "missing or wrong bearer token")
    return None


@bp.post("/applications")
def create_application() -> tuple[Response, int]:
    payload = _json_body()
    try:
        filing = ApplicationIn.model_validate(payload, context={"region": runtime().settings.default_region})
    except ValidationError as exc:
        return _error(422, "invalid application", errors=field_errors(exc))
    rt = runtime()
    try:
        app_id, created = file_application(rt.sessions, filing, settings=rt.settings)
    except Conflict:
        return _error(409, "external_id already used for an application with different content")
    with rt.sessions() as session:
        app = session.get(Application, app_id)
        return jsonify(detail(session, app)), 201 if created else 200  # type: ignore[arg-type]


@bp.get("/applications/<row_id:app_id>")
def get_application(app_id: int) -> Response:
    with runtime().sessions() as session:
        app = session.get(Application, app_id)
        if app is None:
            abort(_error(404, "no such application")[0])
        return jsonify(detail(session, app))


LIST_PARAMETERS = frozenset({"state", "limit"})


@bp.get("/applications")
def list_applications() -> Response | tuple[Response, int]:
    unknown = sorted(set(request.args) - LIST_PARAMETERS)
    if unknown:  # like an unknown body field: a misspelt filter must not silently list everything
        return _error(422, "invalid query", errors={name: "unknown parameter" for name in unknown})
    state = request.args.get("state")
    if state is not None and state not in {s.value for s in State}:
        return _error(422, "invalid query", errors={"state": f"must be one of {', '.join(State)}"})
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        return _error(422, "invalid query", errors={"limit": "must be an integer from 1 to 1000"})
    query = select(Application).order_by(col(Application.id).desc()).limit(int(limit))
    if state:
        query = query.where(col(Application.state) == state)
    with runtime().sessions() as session:
        return jsonify({"applications": [summary(a) for a in session.execute(query).scalars()]})


@bp.post("/applications/<row_id:app_id>/decisions")
def report_decision(app_id: int) -> tuple[Response, int]:
    """The lender's decision: 201 when new, 200 for a retry of the same decision_id and content."""
    payload = _json_body()
    try:
        decision = DecisionIn.model_validate(payload)
    except ValidationError as exc:
        return _error(422, "invalid decision", errors=field_errors(exc))
    rt = runtime()
    try:
        created = record_decision(rt.sessions, app_id, decision.report, settings=rt.settings)
    except DecisionRefused as refused:
        return _error(404 if refused.code == "not_found" else 409, str(refused))
    return _application(app_id, 201 if created else 200)


@bp.post("/applications/<row_id:app_id>/phone")
def change_phone(app_id: int) -> tuple[Response, int]:
    """A verified new number: the notice goes again, as a new version, to it."""
    payload = _json_body()
    rt = runtime()
    try:
        change = PhoneChangeIn.model_validate(payload, context={"region": rt.settings.default_region})
    except ValidationError as exc:
        return _error(422, "invalid phone change", errors=field_errors(exc))
    try:
        change_phone_by_api(rt.sessions, app_id, change.phone, verified_by=change.verified_by, settings=rt.settings)
    except PhoneChangeRefused as refused:
        return _error(404 if refused.code == "not_found" else 409, str(refused))
    return _application(app_id, 200)


def _application(app_id: int, status: int) -> tuple[Response, int]:
    with runtime().sessions() as session:
        app = session.get(Application, app_id)
        return jsonify(detail(session, app)), status  # type: ignore[arg-type]


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(OPENAPI)


def _json_body() -> Any:
    if not request.is_json:
        abort(_error(415, "send JSON with Content-Type: application/json")[0])
    try:
        payload = json.loads(request.get_data(cache=False), parse_float=Decimal)
    except RecursionError:
        payload = None
    except (ValueError, UnicodeDecodeError):
        abort(_error(400, "malformed JSON")[0])
    if payload is None or _deeper_than(payload, MAX_JSON_DEPTH):
        abort(_error(400, f"malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels")[0])
    return payload


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def field_errors(exc: ValidationError) -> dict[str, str]:
    """One message per field, keyed by its dotted path (`applicant.phone`)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "body"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        errors.setdefault(path, message)
    return errors


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _api_http_error(exc: HTTPException) -> Any:
    """A URL under the API that matches no route (a bad id, a wrong method) answers in JSON like every other
    API error; the rest of the site keeps its pages."""
    if not request.path.startswith(f"{bp.url_prefix}/"):
        return exc
    if isinstance(exc.response, Response) and exc.response.is_json:
        return exc.response  # already the API's own answer (abort with an _error response)
    return _error(exc.code or 404, "no such resource" if exc.code == 404 else "method not allowed")


def _error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response, status
