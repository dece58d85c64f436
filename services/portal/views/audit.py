"""The audit trail and the misuse alerts, for auditors."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.schemas.audit import (
    AlertSchema, AlertsSchema, AuditEventsSchema, InvestigationSchema, TrailQuerySchema, TrailSchema,
)
from services.portal.views.asking import API_PREFIX, ROW_ID, Blueprint, ask, plain
from shared.contracts import requests
from shared.contracts.audit import AlertFiltersSchema, EventFiltersSchema

api = Blueprint("audit", __name__, url_prefix=API_PREFIX, description="The audit trail, for auditors.")


@api.route("/audit/events")
class AuditEvents(MethodView):
    @api.operation(200, AuditEventsSchema, takes=EventFiltersSchema, location="query")
    def get(self, query):
        """The audit trail, for auditors."""
        return ask(requests.LIST_AUDIT_EVENTS, {"filters": plain(query)})


@api.route("/audit/trail")
class Trail(MethodView):
    @api.operation(200, TrailSchema, takes=TrailQuerySchema, location="query")
    def get(self, query):
        """One user's whole trail (``actor``) or one child's (``contactpoint_id``), for an investigation; exporting it is audited."""
        whose = {name: query[name] for name in ("actor", "contactpoint_id") if name in query}
        return ask(requests.EXPORT_TRAIL, {"whose": whose, "after_seq": query["after_seq"]})


@api.route("/audit/alerts")
class Alerts(MethodView):
    @api.operation(200, AlertsSchema, takes=AlertFiltersSchema, location="query")
    def get(self, query):
        """Alerts raised by the misuse rules, oldest first (or newest, ``order=newest``); filter by rule, status (open, investigated) and LA."""
        return ask(requests.LIST_ALERTS, {"filters": query})


@api.route(f"/audit/alerts/<{ROW_ID}:alert_id>/investigation")
class Investigation(MethodView):
    @api.operation(200, AlertSchema, takes=InvestigationSchema, refuses=(404,))
    def post(self, body, alert_id):
        """Marks an alert investigated, with what was found; the marking is itself audited."""
        return ask(requests.INVESTIGATE_ALERT, {"alert_id": alert_id, "note": body["note"]})
