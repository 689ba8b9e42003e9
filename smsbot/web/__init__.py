"""Web blueprints: the JSON API, Twilio webhooks, the phone simulator, health and metrics."""
