"""The feeds service's routing table: each request and event it takes, the handler that takes it, and who may send it.

Its handlers, by use case: ``intake`` (what sources send), ``reviews`` (a person's word on the matching), ``shielding``,
``sources`` (their administration), ``exports`` (the children held, page by page) and ``in_force`` (the linkage model).
"""
from __future__ import annotations

from functools import partial

from services.feeds import SERVICE, exports, in_force, intake, reviews, shielding, sources
from services.feeds.children import LA_TEAM
from services.feeds.schemas import (
    AcceptedFeedMessageSchema, AddSourceSchema, ExportChildrenSchema, LinkageAccuracySchema, ListReviewsSchema, ListSourcesSchema,
    RefreshTermFrequenciesSchema, RepublishChildrenSchema, ReviewDecisionSchema, ShieldingSchema, ShowLinkageModelSchema, SourceIdSchema,
    SplitRecordSchema, UseLinkageModelSchema,
)
from shared.contracts import requests
from shared.messaging.consumer import Subscription
from shared.messaging.rpc import Asker
from shared.messaging.topology import FEEDS_PARTNER_MESSAGES
from shared.principals import OPERATOR_ONLY, SCHEDULED, people
from shared.service import Request, Routes

__all__ = ["SERVICE", "routes"]


def routes(*, ask_provisioner: Asker) -> Routes:
    la_team = people(LA_TEAM) | OPERATOR_ONLY
    return Routes(
        requests={
            requests.ADD_SOURCE: Request(AddSourceSchema, partial(sources.add_source, ask_provisioner=ask_provisioner), la_team),
            requests.DISABLE_SOURCE: Request(SourceIdSchema, partial(sources.disable_source, ask_provisioner=ask_provisioner), la_team),
            requests.LIST_SOURCES: Request(ListSourcesSchema, sources.list_sources, la_team),
            requests.LIST_REVIEWS: Request(ListReviewsSchema, reviews.list_reviews, la_team),
            requests.LINK_REVIEW: Request(ReviewDecisionSchema, reviews.link_review, la_team),
            requests.SEPARATE_REVIEW: Request(ReviewDecisionSchema, reviews.separate_review, la_team),
            requests.SPLIT_RECORD: Request(SplitRecordSchema, reviews.split_record, la_team),
            # Only the LA ContactPoint team (or an operator) shields a child, and only it lifts a shielding, whoever set it.
            requests.SHIELD_CHILD: Request(ShieldingSchema, shielding.shield_child, la_team),
            requests.UNSHIELD_CHILD: Request(ShieldingSchema, shielding.unshield_child, la_team),
            requests.EXPORT_CHILDREN: Request(ExportChildrenSchema, exports.export_children, OPERATOR_ONLY),
            requests.REPUBLISH_CHILDREN: Request(RepublishChildrenSchema, exports.republish_children, OPERATOR_ONLY),
            requests.USE_LINKAGE_MODEL: Request(UseLinkageModelSchema, in_force.use_linkage_model, OPERATOR_ONLY),
            requests.SHOW_LINKAGE_MODEL: Request(ShowLinkageModelSchema, in_force.show_linkage_model, OPERATOR_ONLY, reads_only=True),
            requests.LINKAGE_ACCURACY: Request(LinkageAccuracySchema, in_force.linkage_accuracy, OPERATOR_ONLY),
            requests.REFRESH_TERM_FREQUENCIES: Request(RefreshTermFrequenciesSchema, in_force.refresh_term_frequencies, SCHEDULED),
        },
        events=[Subscription(FEEDS_PARTNER_MESSAGES, batch_handler=intake.receive_feed_messages, batch=intake.PARTNER_MESSAGE_BATCH,
                             schema=AcceptedFeedMessageSchema, on_rejected=intake.reject_to_source)],
    )
