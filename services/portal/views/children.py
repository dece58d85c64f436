"""Finding a child and reading their record."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import RAISE

from services.portal.schemas.children import (
    ChildRecordSchema,
    LaTeamSchema,
    PurposeSchema,
    SearchQuerySchema,
    SearchResultsSchema,
)
from services.portal.views.asking import API_PREFIX, Blueprint, ask, plain
from shared.contracts import requests
from shared.contracts.directory import LaTeamContactSchema
from shared.contracts.feeds import ShieldedSchema, ShieldingReasonSchema

api = Blueprint("children", __name__, url_prefix=API_PREFIX, description="Finding a child and reading their record.")
CHILD = "/children/<contactpoint_id>"


@api.route("/children/search")
class ChildSearch(MethodView):
    # Only identifying details are criteria: anything else (a service, an involvement) is refused, never ignored.
    @api.operation(200, SearchResultsSchema, takes=SearchQuerySchema, location="query", unknown=RAISE,
                   session_checked_by_the_service=True)
    def get(self, query):
        """Find a child from identifying details, for a purpose."""
        purpose = query.pop("purpose")
        return ask(requests.SEARCH_CHILDREN, {"purpose": purpose, "criteria": plain(query)})


@api.route(CHILD)
class ChildRecord(MethodView):
    @api.operation(200, ChildRecordSchema, takes=PurposeSchema, location="query", refuses=(404,),
                   session_checked_by_the_service=True)
    def get(self, query, contactpoint_id):
        """One child's record: who is working with them; shielded and sensitive parts withheld."""
        return ask(requests.READ_CHILD, {"purpose": query["purpose"], "contactpoint_id": contactpoint_id})


api.decision(f"{CHILD}/shield", requests.SHIELD_CHILD, ShieldedSchema, takes=ShieldingReasonSchema,
             said="The LA ContactPoint team's decision that a child is at risk if found: shielded until the team lifts it.")
api.decision(f"{CHILD}/unshield", requests.UNSHIELD_CHILD, ShieldedSchema, takes=ShieldingReasonSchema,
             said="Lift a child's shielding: the LA ContactPoint team's alone.")


@api.route("/la-team")
class LaTeam(MethodView):
    @api.operation(200, LaTeamSchema, takes=LaTeamContactSchema)
    def put(self, team):
        """How readers of your LA's shielded children reach your LA ContactPoint team."""
        return ask(requests.SET_LA_TEAM, team)
