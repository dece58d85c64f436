"""What every view does: ask a service over the broker, as the signed-in person."""
from __future__ import annotations

import flask_smorest
from flask import current_app, g

API_PREFIX = "/api/v1"


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, its argument schemas made once: given a class, webargs makes a new schema (a deep
    copy of every field) for each request."""

    def arguments(self, schema, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


def ask(method: str, payload: dict):
    """The service's answer to a request, put for the signed-in person: their token goes with it, never a word of who they are."""
    return current_app.extensions["contactpoint"].gateway.ask(method, payload, g.get("token"))


def actor() -> dict:
    return g.actor.as_dict()


def plain(query: dict) -> dict:
    """Query values in their JSON form, to travel in a request."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in query.items()}
