"""What every view does: ask a service over the broker, as the signed-in person."""
from __future__ import annotations

from flask import current_app, g

API_PREFIX = "/api/v1"


def ask(method: str, payload: dict):
    return current_app.extensions["contactpoint"].gateway.ask(method, payload)


def actor() -> dict:
    return g.actor.as_dict()


def plain(query: dict) -> dict:
    """Query values in their JSON form, to travel in a request."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in query.items()}
