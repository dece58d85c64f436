"""The audit trail, for auditors."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.portal.auth import signed_in
from services.portal.schemas.audit import AuditEventsSchema, AuditQuerySchema
from services.portal.views.asking import API_PREFIX, actor, ask, plain
from shared.contracts import requests

api = Blueprint("audit", __name__, url_prefix=API_PREFIX, description="The audit trail, for auditors.")


@api.route("/audit/events")
class AuditEvents(MethodView):
    @api.arguments(AuditQuerySchema, location="query")
    @api.response(200, AuditEventsSchema)
    @signed_in("auditor")
    def get(self, query):
        """The audit trail, for auditors."""
        return ask(requests.LIST_AUDIT_EVENTS, {"actor": actor(), "filters": plain(query)})
