"""The trail as auditors read it: pages of events by who, which child, where, what and when; a person's or a child's
whole trail exported for an investigation."""
from __future__ import annotations

from sqlalchemy import select

from services.audit import SERVICE
from services.audit.models import AuditRecord, AuditSubject
from shared.contracts.audit import NEWEST_FIRST, OLDEST_FIRST, audit_event
from shared.unit_of_work import UnitOfWork

EXPORT_LIMIT = 50_000


def list_events(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, filters = request["actor"], request["filters"]
    page = _page(uow, filters, filters["limit"])
    uow.emit(audit_event(SERVICE, "list_events", actor=actor, criteria=filters))
    return page

def export_trail(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """One user's whole trail, or one child's, for an investigation; a trail longer than one export goes on from ``next_after_seq``."""
    actor, whose = request["actor"], request["whose"]
    filters = {**dict.fromkeys(("actor", "contactpoint_id", "la", "action", "since", "until", "before_seq")), **whose,
               "after_seq": request["after_seq"], "order": OLDEST_FIRST}
    trail = _page(uow, filters, EXPORT_LIMIT)
    uow.emit(audit_event(SERVICE, "export_trail", actor=actor, criteria={**whose, "after_seq": request["after_seq"]},
                         contactpoint_ids=[whose["contactpoint_id"]] if whose.get("contactpoint_id") else [],
                         detail={"events": len(trail["events"])}))
    return {**whose, **trail}

def _page(uow: UnitOfWork, filters: dict, limit: int) -> dict:
    """Events matching the filters, in chain order from after ``after_seq``, or newest first from before ``before_seq``;
    ``next_after_seq`` (or ``next_before_seq``) says where the next page starts."""
    newest = filters["order"] == NEWEST_FIRST
    query = select(AuditRecord).order_by(AuditRecord.seq.desc() if newest else AuditRecord.seq).limit(limit)
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
    if filters["before_seq"]:
        query = query.where(AuditRecord.seq < filters["before_seq"])
    records = uow.session.scalars(query).all()
    more = records[-1].seq if len(records) == limit else None
    return {
        "events": [{"seq": r.seq, **r.event} for r in records],
        "next_after_seq": None if newest else more, "next_before_seq": more if newest else None,
    }
