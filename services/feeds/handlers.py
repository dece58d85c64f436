"""The feeds service's handlers: take in what sources send, link it to a child, and tell the directory and the source."""
from __future__ import annotations

import re
from functools import partial

from sqlalchemy import select

from services.feeds import matching, merging
from services.feeds.errors import SourceExists, SourceNotAllowed, UnknownSource
from services.feeds.models import LinkedChild, Source, SourceRecord
from services.feeds.schemas import AcceptedFeedMessageSchema, AddSourceSchema, ListSourcesSchema, SourceIdSchema
from shared.broker_admin import BrokerAdmin, new_password
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.contracts.children import child_merged
from shared.contracts.feeds import NO_INVOLVEMENT, feedback, kind_of, rejection, source_of
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import Envelope, utcnow
from shared.messaging.topology import FEEDS, FEEDS_PARTNER_MESSAGES, feedback_queue
from shared.names import name_key
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "feeds"


def receive_feed_message(uow: UnitOfWork, message: dict, envelope: Envelope) -> None:
    source = _authorised_source(uow, message, envelope)
    key = (source.source_id, message["source_record_id"])
    record = uow.session.get(SourceRecord, key, with_for_update=True)
    if record is not None and record.sequence >= message["sequence"]:
        uow.emit(feedback(source.source_id, "accepted", envelope.message_id, applied=False,
                          note=f"sequence {message['sequence']} is not newer than {record.sequence}, which is held"))
        return
    if message["action"] == "remove":
        if record is None:
            uow.emit(feedback(source.source_id, "accepted", envelope.message_id, applied=False, note="no record of this child is held"))
            return
        record.held = False
        record.sequence = message["sequence"]
        record.received_at = utcnow()
    else:
        record = _hold(uow, source, record, message, envelope.body)
    child = uow.session.get(LinkedChild, record.contactpoint_id, with_for_update=True)
    child.version += 1
    uow.session.flush()
    uow.emit(
        child_merged(merging.snapshot(uow.session, child)),
        feedback(source.source_id, "accepted", envelope.message_id, applied=True, contactpoint_id=child.contactpoint_id),
    )


def _hold(uow: UnitOfWork, source: Source, record: SourceRecord | None, message: dict, raw: dict) -> SourceRecord:
    child = message["child"]
    if record is None:
        contactpoint_id = matching.find_child(uow.session, child)
        if contactpoint_id is None:
            contactpoint_id = matching.new_contactpoint_id()
            uow.session.add(LinkedChild(contactpoint_id=contactpoint_id, version=0))
        record = SourceRecord(source_id=source.source_id, source_record_id=message["source_record_id"], contactpoint_id=contactpoint_id)
        uow.session.add(record)
    record.sequence = message["sequence"]
    record.held = True
    record.nhs_number = child["identifiers"].get("nhs_number")
    record.family_key = name_key(child["family_name"])
    record.date_of_birth = child["date_of_birth"]
    record.message = raw
    record.received_at = utcnow()
    return record


def _authorised_source(uow: UnitOfWork, message: dict, envelope: Envelope) -> Source:
    source_id = source_of(envelope.routing_key)
    source = uow.session.get(Source, source_id)
    if source is None or not source.enabled:
        raise SourceNotAllowed(f"{source_id!r} is not a registered, enabled source")
    if envelope.user_id != source_id:
        raise SourceNotAllowed(f"the message must be published by the source's own broker user ({source_id!r}) with user_id set")
    kind = kind_of(envelope.routing_key)
    if kind not in source.kinds and not (kind == NO_INVOLVEMENT and message.get("involvement") is None):
        raise SourceNotAllowed(f"{source_id!r} is not registered to send {kind!r}")
    involvement = message.get("involvement")
    if involvement is not None and involvement["service"] != kind:
        raise SourceNotAllowed(f"an involvement of service {involvement['service']!r} must be sent as {source_id}.{involvement['service']}, not {kind!r}")
    return source


def reject_to_source(envelope: Envelope, reason: dict) -> list[Envelope]:
    return [rejection(source_of(envelope.routing_key), envelope.message_id, reason)]


def add_source(uow: UnitOfWork, request: dict, envelope=None, *, broker: BrokerAdmin) -> dict:
    source_id = request["source_id"]
    if uow.session.get(Source, source_id) is not None:
        raise SourceExists(source_id)
    uow.session.add(Source(source_id=source_id, name=request["name"], la_code=request["la_code"], kinds=request["kinds"], enabled=True))
    password = new_password()
    own = re.escape(source_id)
    broker.create_user(source_id, password)
    broker.grant(source_id, configure="^$", write=f"^{re.escape(FEEDS.name)}$", read=f"^cp\\.feedback\\.{own}$")
    broker.grant_topic(source_id, FEEDS.name, write=f"^{own}\\.[^.]+$", read="^$")
    broker.declare(feedback_queue(source_id))
    uow.emit(audit_event(SERVICE, "source_added", actor=request["actor"], la_code=request["la_code"], subject=source_id,
                         detail={"kinds": request["kinds"]}))
    return {"source_id": source_id, "amqp_password": password}


def disable_source(uow: UnitOfWork, request: dict, envelope=None, *, broker: BrokerAdmin) -> dict:
    source = uow.session.get(Source, request["source_id"])
    if source is None:
        raise UnknownSource(request["source_id"])
    source.enabled = False
    broker.delete_user(source.source_id)
    uow.emit(audit_event(SERVICE, "source_disabled", actor=request["actor"], la_code=source.la_code, subject=source.source_id))
    return {"source_id": source.source_id, "enabled": False}


def list_sources(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    return [
        {"source_id": s.source_id, "name": s.name, "la_code": s.la_code, "kinds": s.kinds, "enabled": s.enabled}
        for s in uow.session.scalars(select(Source).order_by(Source.source_id))
    ]


def routes(*, broker: BrokerAdmin) -> Routes:
    return Routes(
        requests={
            requests.ADD_SOURCE: Request(AddSourceSchema, partial(add_source, broker=broker)),
            requests.DISABLE_SOURCE: Request(SourceIdSchema, partial(disable_source, broker=broker)),
            requests.LIST_SOURCES: Request(ListSourcesSchema, list_sources),
        },
        events=[Subscription(FEEDS_PARTNER_MESSAGES, receive_feed_message, schema=AcceptedFeedMessageSchema, on_rejected=reject_to_source)],
    )
