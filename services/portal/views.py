"""The JSON API of the external contract; every view asks one service and answers."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.portal.auth import signed_in
from services.portal.schemas import (
    AuditEventsSchema, AuditQuerySchema, ChildRecordSchema, LoginSchema, PurposeSchema, SearchQuerySchema,
    SearchResultsSchema, TokenSchema,
)
from shared.contracts import requests

api = Blueprint("api", __name__, url_prefix="/api/v1", description="ContactPoint")

# Roles whose holders may look children up.
READERS = ("practitioner", "approver")


def ask(method: str, payload: dict):
    return current_app.extensions["contactpoint"].gateway.ask(method, payload)


def _actor() -> dict:
    return g.actor.as_dict()


def _plain(query: dict) -> dict:
    """Query values in their JSON form, to travel in a request."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in query.items()}


@api.route("/auth/login")
class Login(MethodView):
    @api.arguments(LoginSchema)
    @api.response(200, TokenSchema)
    def post(self, credentials):
        """Sign in with password and one-time code."""
        return ask(requests.LOGIN, {**credentials, "client": request.remote_addr or "unknown"})


@api.route("/auth/logout")
class Logout(MethodView):
    @api.response(204)
    @signed_in()
    def post(self):
        """Sign out: the token stops working at once."""
        ask(requests.LOGOUT, {"actor": _actor(), "token_id": g.actor.token_id, "expires_at": g.actor.expires_at})


@api.route("/children/search")
class ChildSearch(MethodView):
    @api.arguments(SearchQuerySchema, location="query")
    @api.response(200, SearchResultsSchema)
    @signed_in(*READERS)
    def get(self, query):
        """Find a child from identifying details, for a purpose."""
        purpose = query.pop("purpose")
        return ask(requests.SEARCH_CHILDREN, {"actor": _actor(), "purpose": purpose, "criteria": _plain(query)})


@api.route("/children/<contactpoint_id>")
class ChildRecord(MethodView):
    @api.arguments(PurposeSchema, location="query")
    @api.response(200, ChildRecordSchema)
    @signed_in(*READERS)
    def get(self, query, contactpoint_id):
        """One child's record: who is working with them; shielded and sensitive parts withheld."""
        return ask(requests.READ_CHILD, {"actor": _actor(), "purpose": query["purpose"], "contactpoint_id": contactpoint_id})


@api.route("/audit/events")
class AuditEvents(MethodView):
    @api.arguments(AuditQuerySchema, location="query")
    @api.response(200, AuditEventsSchema)
    @signed_in("auditor")
    def get(self, query):
        """The audit trail, for auditors."""
        return ask(requests.LIST_AUDIT_EVENTS, {"actor": _actor(), "filters": _plain(query)})
