"""The match review queue: an LA's ContactPoint team links or keeps apart the unsure matches of its LA (feeds decides whose is whose)."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.schemas.reviews import ReviewDecisionSchema, ReviewQueueSchema
from services.portal.views.asking import API_PREFIX, ROW_ID, Blueprint, ask
from shared.contracts import requests

api = Blueprint("reviews", __name__, url_prefix=API_PREFIX, description="The match review queue, for LA ContactPoint teams.")
TASK = f"/reviews/<{ROW_ID}:task_id>"


@api.route("/reviews")
class Reviews(MethodView):
    @api.operation(200, ReviewQueueSchema)
    def get(self):
        """Open tasks about children your LA's sources hold, oldest first, each with both children side by side."""
        return {"tasks": ask(requests.LIST_REVIEWS, {})}


api.decision(f"{TASK}/link", requests.LINK_REVIEW, ReviewDecisionSchema, refuses=(404, 409),
             said="The two are one child: the record joins the candidate, and the system never parts them.")
api.decision(f"{TASK}/separate", requests.SEPARATE_REVIEW, ReviewDecisionSchema, refuses=(404, 409),
             said="The two are different children: both stay, and the system never joins them.")
