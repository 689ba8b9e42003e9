"""The API's OpenAPI document; the request schema comes from the same pydantic model that validates it."""

from __future__ import annotations

from typing import Any

from smsbot.intake.filing import ApplicationIn
from smsbot.models.base import ROW_ID_MAX
from states.conversation_states import HandoffReason, State

ROW_ID = {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}


def _build() -> dict[str, Any]:
    request_schema = ApplicationIn.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = request_schema.pop("$defs", {})
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
            "messages": {"type": "array", "items": {"type": "object"}},
            "corrections": {"type": "array", "items": {"type": "object"}},
            "transitions": {"type": "array", "items": {"type": "object"}},
        },
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
            "schemas": {"ApplicationIn": request_schema, "Application": application, "Error": error, **defs},
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
        },
    }


OPENAPI = _build()
