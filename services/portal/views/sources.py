"""Partner systems: an LA's ContactPoint team registers, lists and disables its own LA's sources (feeds decides whose is whose)."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.schemas.sources import SourcesSchema
from services.portal.views.asking import API_PREFIX, Blueprint, actor, ask
from shared.contracts import requests
from shared.contracts.feeds import DisabledSourceSchema, NewSourceSchema, SourceCredentialsSchema

api = Blueprint("sources", __name__, url_prefix=API_PREFIX, description="Partner systems, for LA ContactPoint teams.")


@api.route("/sources")
class Sources(MethodView):
    @api.operation(200, SourcesSchema)
    def get(self):
        """Your LA's sources, enabled or not."""
        return {"sources": ask(requests.LIST_SOURCES, {})}

    @api.operation(201, SourceCredentialsSchema, takes=NewSourceSchema, refuses=(409,))
    def post(self, source):
        """A new source of your LA, with its own broker user; its password is shown this once."""
        return ask(requests.ADD_SOURCE, {**source, "la_code": actor()["la_code"]})


@api.route("/sources/<source_id>/disable")
class Disable(MethodView):
    @api.operation(200, DisabledSourceSchema, refuses=(404,))
    def post(self, source_id):
        """Stop taking the source's messages: its broker user is revoked at once."""
        return ask(requests.DISABLE_SOURCE, {"source_id": source_id})
