"""Single-record disclosure: a request on a ground, a second person's decision, and one reading of the record."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.schemas.disclosure import DisclosureListSchema
from services.portal.views.asking import API_PREFIX, Blueprint, ask
from shared.contracts import requests
from shared.contracts.disclosure import (
    DecisionReasonSchema, DisclosedRecordSchema, DisclosureRequestSchema, ListDisclosuresSchema, RequestDisclosureSchema,
)

api = Blueprint("disclosure", __name__, url_prefix=API_PREFIX, description="Single-record disclosure on a second person's approval.")
REQUEST = "/disclosures/<request_id>"


@api.route("/disclosures")
class Disclosures(MethodView):
    @api.operation(201, DisclosureRequestSchema, takes=RequestDisclosureSchema, refuses=(404,))
    def post(self, body):
        """Ask for one child's record on a court order or for crime prevention."""
        return ask(requests.REQUEST_DISCLOSURE, {**body})

    @api.operation(200, DisclosureListSchema, takes=ListDisclosuresSchema, location="query")
    def get(self, query):
        """Your requests; an approver sees every request of their LA."""
        return {"requests": ask(requests.LIST_DISCLOSURES, {"status": query["status"]})}


api.decision(f"{REQUEST}/approve", requests.APPROVE_DISCLOSURE, DisclosureRequestSchema, takes=DecisionReasonSchema,
             refuses=(404, 409), said="Approve someone else's request (approvers only).")
api.decision(f"{REQUEST}/refuse", requests.REFUSE_DISCLOSURE, DisclosureRequestSchema, takes=DecisionReasonSchema,
             refuses=(404, 409), said="Refuse someone else's request (approvers only).")


@api.route(f"{REQUEST}/record")
class DisclosedRecord(MethodView):
    @api.operation(200, DisclosedRecordSchema, refuses=(404,))
    def get(self, request_id):
        """The record an approved request discloses: to its requester, once, before its time runs out."""
        return ask(requests.READ_DISCLOSURE, {"request_id": request_id})
