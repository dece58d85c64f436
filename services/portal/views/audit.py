"""The audit trail and the misuse alerts, for auditors."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.auth import signed_in
from services.portal.schemas.audit import (
    AlertQuerySchema, AlertSchema, AlertsSchema, AuditEventsSchema, InvestigationSchema, TrailQuerySchema, TrailSchema,
)
from services.portal.views.asking import API_PREFIX, ROW_ID, Blueprint, ask, plain
from shared.contracts import requests
from shared.contracts.audit import EventFiltersSchema

api = Blueprint("audit", __name__, url_prefix=API_PREFIX, description="The audit trail, for auditors.")


@api.route("/audit/events")
class AuditEvents(MethodView):
    @api.arguments(EventFiltersSchema, location="query")
    @api.response(200, AuditEventsSchema)
    @signed_in()
    def get(self, query):
        """The audit trail, for auditors."""
        return ask(requests.LIST_AUDIT_EVENTS, {"filters": plain(query)})


@api.route("/audit/trail")
class Trail(MethodView):
    @api.arguments(TrailQuerySchema, location="query")
    @api.response(200, TrailSchema)
    @signed_in()
    def get(self, query):
        """One user's whole trail (``actor``) or one child's (``contactpoint_id``), for an investigation; exporting it is audited."""
        whose = {name: query[name] for name in ("actor", "contactpoint_id") if name in query}
        return ask(requests.EXPORT_TRAIL, {"whose": whose, "after_seq": query["after_seq"]})


@api.route("/audit/alerts")
class Alerts(MethodView):
    @api.arguments(AlertQuerySchema, location="query")
    @api.response(200, AlertsSchema)
    @signed_in()
    def get(self, query):
        """Alerts raised by the misuse rules, oldest first (or newest, ``order=newest``); filter by rule, status (open, investigated) and LA."""
        filters = {"rule": query["rule"], "status": query["status"], "la_code": query["la"], "after_id": query["after_id"],
                   "before_id": query["before_id"], "order": query["order"], "limit": query["limit"]}
        return ask(requests.LIST_ALERTS, {"filters": filters})


@api.route(f"/audit/alerts/<{ROW_ID}:alert_id>/investigation")
class Investigation(MethodView):
    @api.arguments(InvestigationSchema)
    @api.response(200, AlertSchema)
    @api.refuses(404)
    @signed_in()
    def post(self, body, alert_id):
        """Marks an alert investigated, with what was found; the marking is itself audited."""
        return ask(requests.INVESTIGATE_ALERT, {"alert_id": alert_id, "note": body["note"]})
