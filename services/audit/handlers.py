"""The audit service's handlers: store each event once, at the end of the chain; show the trail to auditors."""
from __future__ import annotations

from sqlalchemy import select

from services.audit import chain
from services.audit.errors import AuditorsOnly
from services.audit.models import AuditRecord, AuditSubject, ChainHead
from services.audit.schemas import ListEventsSchema
from shared.contracts import requests
from shared.contracts.audit import AuditEventSchema, audit_event
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import Envelope
from shared.messaging.topology import AUDIT_EVENTS
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "audit"


def store_event(uow: UnitOfWork, event: dict, envelope: Envelope) -> None:
    head = uow.session.get(ChainHead, 1, with_for_update=True)
    if head is None:
        head = ChainHead(id=1, seq=0, hash=chain.GENESIS)
        uow.session.add(head)
    raw = envelope.body
    seq = head.seq + 1
    record = AuditRecord(
        seq=seq, event_id=event["event_id"], occurred_at=event["occurred_at"], service=event["service"],
        action=event["action"], la_code=event["la_code"], actor_username=(event["actor"] or {}).get("username"),
        event=raw, prev_hash=head.hash, hash=chain.link(head.hash, seq, raw),
    )
    uow.session.add(record)
    uow.session.flush()
    uow.session.add_all(AuditSubject(contactpoint_id=cp_id, seq=seq) for cp_id in set(event["contactpoint_ids"]))
    head.seq, head.hash = seq, record.hash


def list_events(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, filters = request["actor"], request["filters"]
    if actor["role"] != "auditor":
        raise AuditorsOnly()
    query = select(AuditRecord).order_by(AuditRecord.seq).limit(filters["limit"])
    if filters["actor"]:
        query = query.where(AuditRecord.actor_username == filters["actor"])
    if filters["contactpoint_id"]:
        query = query.join(AuditSubject).where(AuditSubject.contactpoint_id == filters["contactpoint_id"])
    if filters["la"]:
        query = query.where(AuditRecord.la_code == filters["la"])
    if filters["action"]:
        query = query.where(AuditRecord.action == filters["action"])
    if filters["since"]:
        query = query.where(AuditRecord.occurred_at >= filters["since"])
    if filters["until"]:
        query = query.where(AuditRecord.occurred_at < filters["until"])
    if filters["after_seq"]:
        query = query.where(AuditRecord.seq > filters["after_seq"])
    records = uow.session.scalars(query).all()
    uow.emit(audit_event(SERVICE, "list_events", actor=actor, criteria=filters))
    return {
        "events": [{"seq": r.seq, **r.event} for r in records],
        "next_after_seq": records[-1].seq if len(records) == filters["limit"] else None,
    }


def routes() -> Routes:
    return Routes(
        requests={requests.LIST_AUDIT_EVENTS: Request(ListEventsSchema, list_events)},
        events=[Subscription(AUDIT_EVENTS, store_event, schema=AuditEventSchema)],
    )
