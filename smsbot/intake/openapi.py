"""The API's OpenAPI document; the request schema comes from the same pydantic model that validates it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from smsbot.intake.filing import ApplicationIn
from smsbot.intake.lender_requests import DecisionIn, PhoneChangeIn
from smsbot.models.base import ROW_ID_MAX
from states.conversation_states import HandoffReason, State
from states.decisions import Decision


def _schema(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """A request model's JSON schema; its nested definitions are collected into `defs` (the components)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs |= schema.pop("$defs", {})
    return schema


ROW_ID = {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}


def _build() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    request_schema = _schema(ApplicationIn, defs)
    requests = {"DecisionIn": _schema(DecisionIn, defs), "PhoneChangeIn": _schema(PhoneChangeIn, defs)}
    error = {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    application = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "external_id": {"type": "string"},
            "state": {"type": "string", "enum": [s.value for s in State]},
            "handoff_reason": {"type": ["string", "null"], "enum": [r.value for r in HandoffReason] + [None]},
            "decision": {"type": ["string", "null"], "enum": [d.value for d in Decision] + [None]},
            "messages": {"type": "array", "items": {"type": "object"}},
            "corrections": {"type": "array", "items": {"type": "object"}},
            "transitions": {"type": "array", "items": {"type": "object"}},
            "decisions": {"type": "array", "items": {"type": "object"}},
            "phone_changes": {"type": "array", "items": {"type": "object"}},
        },
    }
    app_id = [{"name": "id", "in": "path", "required": True, "schema": ROW_ID}]

    def body(schema: str) -> dict[str, Any]:
        return {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    def reply(description: str, schema: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    return {
        "openapi": "3.1.0",
        "info": {"title": "smsbot API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ApplicationIn": request_schema,
                **requests,
                "Application": application,
                "Error": error,
                **defs,
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/applications": {
                "post": {
                    "summary": "File an application and queue its notice",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApplicationIn"}}},
                    },
                    "responses": {
                        "201": reply("Filed", "Application"),
                        "200": reply("Already filed with the same content", "Application"),
                        "400": reply("Malformed JSON", "Error"),
                        "401": reply("No token", "Error"),
                        "409": reply("external_id used with other content", "Error"),
                        "422": reply("Invalid fields", "Error"),
                    },
                },
                "get": {
                    "summary": "List applications, newest first",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string", "enum": [s.value for s in State]},
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
                    ],
                    "responses": {"200": {"description": "Applications"}, "401": reply("No token", "Error")},
                },
            },
            "/api/v1/applications/{id}": {
                "get": {
                    "summary": "One application with messages, corrections and history",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": ROW_ID}],
                    "responses": {
                        "200": reply("The application", "Application"),
                        "404": reply("Not found", "Error"),
                        "401": reply("No token", "Error"),
                    },
                },
            },
            "/api/v1/applications/{id}/decisions": {
                "post": {
                    "summary": "Report a decision; its progress notice is queued (idempotent on decision_id)",
                    "parameters": app_id,
                    "requestBody": body("DecisionIn"),
                    "responses": {
                        "201": reply("Recorded, notice queued", "Application"),
                        "200": reply("Already recorded with the same content; nothing sent", "Application"),
                        "400": reply("Malformed JSON", "Error"),
                        "401": reply("No token", "Error"),
                        "404": reply("Not found", "Error"),
                        "409": reply("decision_id used with other content, or out of order", "Error"),
                        "415": reply("Not JSON", "Error"),
                        "422": reply("Invalid fields", "Error"),
                    },
                },
            },
            "/api/v1/applications/{id}/phone": {
                "post": {
                    "summary": "Move the application to a verified new number; the notice goes again to it",
                    "parameters": app_id,
                    "requestBody": body("PhoneChangeIn"),
                    "responses": {
                        "200": reply("Moved (or already on that number)", "Application"),
                        "400": reply("Malformed JSON", "Error"),
                        "401": reply("No token", "Error"),
                        "404": reply("Not found", "Error"),
                        "409": reply("Closed or opted out: the number stays", "Error"),
                        "415": reply("Not JSON", "Error"),
                        "422": reply("Invalid fields", "Error"),
                    },
                },
            },
        },
    }


OPENAPI = _build()
