"""Each message is validated once where it enters a service, and travels in that form: the passes of a schema over a message
on the search path (a search put to the directory, and the audit event it makes) and on the feed path (a partner's message
taken in by feeds, the merged child it makes held by the directory), counted as the message processor runs each hop.

From the portal's request to its answer a search is loaded twice, once where it enters each service: the portal's load
answers a malformed query with a 400 its OpenAPI document describes, the directory's is its own edge (the command line and
any caller on the broker ask it too), and JSON between them carries a date as text either way."""
from __future__ import annotations

import dataclasses
import json
import sys
import threading
from collections import Counter

import pytest
from kombu import Queue
from marshmallow import Schema

from contactpoint.keys import with_fresh_keys
from services.directory import handlers as directory
from services.directory.models import Base as DirectoryBase
from services.feeds import intake
from services.feeds.models import Base as FeedsBase
from services.feeds.models import Source
from services.feeds.schemas import AcceptedFeedMessageSchema
from services.portal.bootstrap import create_app
from shared import tokens
from shared.contracts import requests, validators
from shared.contracts.children import CHILD_MERGED, ChildMergedSchema
from shared.messaging.consumer import MessageProcessor, Subscription
from shared.messaging.envelope import Envelope
from shared.settings import Settings
from tests.unit.services.feeds.feeding import BODY

PRACTITIONER = {"username": "pat", "role": "practitioner", "la_code": "E08000035", "category": "social_worker", "sees_sensitive": True}


class Passes:
    """Every pass of a schema over a message, by the schema's name: a nested schema's pass is part of its parent's."""

    def __init__(self):
        self.loads, self.dumps = Counter(), Counter()
        self._within = threading.local()

    def counting(self, passes: Counter, original):
        def counted(schema, *args, **kwargs):
            if getattr(self._within, "depth", 0) == 0:
                passes[type(schema).__name__] += 1
            self._within.depth = getattr(self._within, "depth", 0) + 1
            try:
                return original(schema, *args, **kwargs)
            finally:
                self._within.depth -= 1

        return counted


@pytest.fixture
def passes(monkeypatch) -> Passes:
    counted = Passes()
    monkeypatch.setattr(Schema, "load", counted.counting(counted.loads, Schema.load))
    monkeypatch.setattr(Schema, "dump", counted.counting(counted.dumps, Schema.dump))
    return counted


class HopUnitOfWork:
    """One service's session, as the processor uses a unit of work; what it emits or publishes is kept for the next hop."""

    def __init__(self, session):
        self.session = session
        self.sent: list[Envelope] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def emit(self, *envelopes):
        self.sent.extend(envelopes)

    publish_now = emit

    def already_processed(self, consumer, message_id):
        return False

    def mark_processed(self, consumer, message_id):
        pass

    def claim(self, consumer, message_ids):
        return set(message_ids)

    def commit(self):
        self.session.flush()

    def refused(self, refusal):
        pass


class AsTheGateSays:
    """The gate, having proven who asks: the practitioner, for a request; any sender, for an event."""

    def check_sender(self, senders, envelope):
        pass

    def asker(self, askers, envelope):
        return dict(PRACTITIONER)


def processor(uow: HopUnitOfWork, service: str) -> MessageProcessor:
    return MessageProcessor(service, lambda reads_only=False, answering=None: uow, gate=AsTheGateSays())


def fed(uow: HopUnitOfWork) -> list[Envelope]:
    """Feeds takes in ``BODY`` from its source, as the consumer hands it over; gives what it sent."""
    uow.session.add(Source(source_id="yot-leeds", name="Leeds YOT", la_code="E08000035", kinds=["youth_offending"], enabled=True))
    uow.session.flush()
    subscription = Subscription(Queue("feeds.partner-messages"), batch_handler=intake.receive_feed_messages, schema=AcceptedFeedMessageSchema)
    message = Envelope("cp.feeds", "yot-leeds.youth_offending", BODY, message_id="m-1", user_id="yot-leeds")
    assert processor(uow, "feeds").process(subscription, message).rejection is None
    return uow.sent


def held(uow: HopUnitOfWork, merged: Envelope) -> None:
    subscription = Subscription(Queue("directory.child-updates"), batch_handler=directory.hold_children, schema=ChildMergedSchema)
    assert processor(uow, "directory").process(subscription, merged).rejection is None


def test_a_partner_message_is_loaded_once_by_feeds_and_the_child_it_makes_once_by_the_directory(session_for, passes):
    sent = fed(HopUnitOfWork(session_for(FeedsBase)))
    [merged] = [envelope for envelope in sent if envelope.routing_key == CHILD_MERGED]
    assert passes.loads == {"AcceptedFeedMessageSchema": 1}
    assert passes.dumps == {}

    passes.loads.clear(), passes.dumps.clear()
    held(HopUnitOfWork(session_for(DirectoryBase)), merged)

    assert passes.loads == {"ChildMergedSchema": 1}
    assert passes.dumps == {}


def directory_holding_a_child(session_for, passes) -> tuple[HopUnitOfWork, Envelope]:
    """The directory, holding the child fed from ``BODY``; the passes that took are forgotten."""
    directory_uow = HopUnitOfWork(session_for(DirectoryBase))
    [merged] = [envelope for envelope in fed(HopUnitOfWork(session_for(FeedsBase))) if envelope.routing_key == CHILD_MERGED]
    held(directory_uow, merged)
    passes.loads.clear(), passes.dumps.clear()
    return directory_uow, merged


def searched(directory_uow: HopUnitOfWork, body: dict) -> dict:
    """The directory's answer to ``directory.search`` with ``body``, as the consumer hands it over."""
    search = directory.routes(grant_public_key="").requests[requests.SEARCH_CHILDREN]
    subscription = Subscription(Queue("directory.rpc"), search.handler, routing_key=requests.SEARCH_CHILDREN, schema=search.schema,
                                answers=True, reads_only=True, askers=search.askers)
    answered = processor(directory_uow, "directory").process(subscription, Envelope("cp.rpc", requests.SEARCH_CHILDREN, body, message_id="s-1"))
    return answered.reply["result"]


SEARCH = {"purpose": "safeguarding", "criteria": {"family_name": "Smith", "given_name": "Amy", "date_of_birth": "2012-03-04", "postcode": "LS1 4AP"}}


def test_a_search_is_loaded_once_by_the_directory_which_dumps_once_the_audit_event_it_makes(session_for, passes):
    directory_uow, merged = directory_holding_a_child(session_for, passes)

    answer = searched(directory_uow, SEARCH)

    assert [found["contactpoint_id"] for found in answer["results"]] == [merged.body["contactpoint_id"]]
    assert passes.loads == {"SearchSchema": 1}
    assert passes.dumps == {"AuditEventSchema": 1}


def test_a_searchs_postcode_is_normalised_once_where_it_is_loaded_and_searched_and_audited_in_that_form(session_for, passes, monkeypatch):
    directory_uow, merged = directory_holding_a_child(session_for, passes)
    normalised, normal = Counter(), validators.normal_postcode

    def counted(value: str) -> str:
        normalised[value] += 1
        return normal(value)

    for module in [module for module in list(sys.modules.values()) if getattr(module, "normal_postcode", None) is normal]:
        monkeypatch.setattr(module, "normal_postcode", counted)
    answer = searched(directory_uow, {**SEARCH, "criteria": {"family_name": "Smith", "given_name": "Amy", "postcode": " ls14ap "}})

    assert [found["contactpoint_id"] for found in answer["results"]] == [merged.body["contactpoint_id"]]
    assert normalised[" ls14ap "] == 1
    [audited] = [envelope for envelope in directory_uow.sent if envelope.type == "directory.search"]
    assert audited.body["criteria"]["postcode"] == "LS1 4AP"


class ToTheDirectory:
    """The portal's gateway, putting each request to the directory in process: in JSON, as it travels on the broker."""

    def __init__(self, directory_uow: HopUnitOfWork):
        self.directory_uow = directory_uow

    def ask(self, method: str, payload: dict, token: str | None = None) -> dict:
        assert method == requests.SEARCH_CHILDREN
        return searched(self.directory_uow, json.loads(json.dumps(payload)))


def test_a_search_from_the_portal_is_loaded_once_by_each_service_and_its_answer_dumped_once_by_the_portal(session_for, passes):
    directory_uow, merged = directory_holding_a_child(session_for, passes)
    settings = with_fresh_keys(Settings(amqp_url="memory://", redis_url="memory://"))
    app = create_app(settings)
    portal = app.extensions["contactpoint"]
    app.extensions["contactpoint"] = dataclasses.replace(portal, gateway=ToTheDirectory(directory_uow))
    token, _ = tokens.issue(settings.token_key, portal.revocations, tokens.SessionLimits(idle_seconds=600, max_seconds=600),
                            **{key: PRACTITIONER[key] for key in ("username", "role", "la_code", "category", "sees_sensitive")})

    answer = app.test_client().get("/api/v1/children/search", headers={"Authorization": f"Bearer {token}"},
                                   query_string={"purpose": "safeguarding", **SEARCH["criteria"]})

    assert [found["contactpoint_id"] for found in answer.json["results"]] == [merged.body["contactpoint_id"]]
    assert passes.loads == {"SearchQuerySchema": 1, "SearchSchema": 1}
    assert passes.dumps == {"AuditEventSchema": 1, "SearchResultsSchema": 1}
