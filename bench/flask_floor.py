"""The framework floor: a bare Flask view returning the same TwiML, no database, no signature check.

gunicorn app spec: `bench.flask_floor:app`."""

from __future__ import annotations

from flask import Flask, Response

from bench.floor_app import TWIML

app = Flask(__name__)


@app.post("/webhooks/twilio/sms")
def inbound_sms() -> Response:
    return Response(TWIML, mimetype="text/xml")


@app.get("/healthz")
def healthz() -> str:
    return "ok"
