"""The disclosure service's handlers: keep what bulk disclosure may show; take, decide and answer single-record requests.

Every step is an audit event. A step that changes a request emits its event with the change
(through the outbox); a refusal publishes its event before it is answered, since a refusal
commits nothing.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial

from sqlalchemy import delete, select

from services.disclosure.errors import (
    AlreadyDecided,
    ApproversOnly,
    ChildNotHeld,
    NotReadable,
    OtherLocalAuthority,
    OwnRequest,
    RequestersOnly,
    RequestNotFound,
    StandInApprover,
)
from services.disclosure.models import MESSAGING, DeIdentifiedChild, DisclosureRequest
from services.disclosure.projection import de_identified
from services.disclosure.pseudonyms import Pseudonymiser
from services.disclosure.schemas import DecisionSchema, ForgetConsumedSchema, ReadDisclosureSchema
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.contracts.children import ChildMergedSchema
from shared.contracts.disclosure import ListDisclosuresSchema, RequestDisclosureSchema, sign_grant
from shared.errors import DomainError
from shared.gate import bearer_token
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import utcnow
from shared.messaging.topology import DISCLOSURE_CHILD_UPDATES
from shared.principals import APPROVER, AUDITOR, LA_ADMIN, PRACTITIONER, SCHEDULED, people
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "disclosure"
# Who may ask for a record; an auditor sees no child. Whether a person may decide is this service's to say (and audit).
REQUESTERS = (PRACTITIONER, LA_ADMIN, APPROVER)
# Two accounts one administrator created this close together may be one person's two hands: neither approves the other.
SAME_CREATOR_DAYS = 30

AskDirectory = Callable[[str, dict, str | None], dict]  # (request, payload, the person's access token)


def hold_child(uow: UnitOfWork, snapshot: dict, envelope=None, *, pseudonyms: Pseudonymiser) -> None:
    """Keeps the newest de-identified view of a child under its pseudonym base; an older or repeated version changes nothing."""
    base = pseudonyms.base(snapshot["contactpoint_id"])
    child = uow.session.get(DeIdentifiedChild, base, with_for_update=True)
    if child is not None and child.version >= snapshot["version"]:
        return
    if child is None:
        child = DeIdentifiedChild(pseudonym_base=base)
        uow.session.add(child)
    for column, value in de_identified(snapshot).items():
        setattr(child, column, value)


def forget_consumed(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Forgets the ids of consumed merged events, which name children: ``hold_child`` needs no record of them to ignore a repeat."""
    forgotten = uow.session.execute(delete(MESSAGING.processed)).rowcount
    return {"forgotten": forgotten}


def request_disclosure(uow: UnitOfWork, request: dict, envelope=None, *, pseudonyms: Pseudonymiser) -> dict:
    actor, contactpoint_id = request["actor"], request["contactpoint_id"]
    held = uow.session.get(DeIdentifiedChild, pseudonyms.base(contactpoint_id))
    if held is None or not held.active:
        _refuse(uow, "request", actor, ChildNotHeld(contactpoint_id), contactpoint_id=contactpoint_id)
    asked = DisclosureRequest(
        request_id=uuid.uuid4().hex, contactpoint_id=contactpoint_id, ground=request["ground"], reference=request["reference"],
        requested_by=actor["username"], requester_la_code=actor["la_code"], requested_at=utcnow(), status="pending",
        requester_created_by=actor.get("created_by"), requester_created_at=_instant(actor.get("created_at")),
    )
    uow.session.add(asked)
    uow.emit(_audit("request", actor, asked))
    return view(asked)


def approve(uow: UnitOfWork, request: dict, envelope=None, *, read_seconds: int, grant_key: str) -> dict:
    """The second person's approval: the request may be read once, in time, with the grant signed here and now."""
    actor = request["actor"]
    asked = _decidable(uow, "approve", actor, request["request_id"])
    asked.status, asked.decided_by, asked.decided_at = "approved", actor["username"], utcnow()
    asked.decision_reason = request["reason"]
    asked.readable_until = asked.decided_at + timedelta(seconds=read_seconds)
    asked.grant = sign_grant(grant_key, _grant(asked), asked.readable_until)
    uow.emit(_audit("approve", actor, asked))
    return view(asked)


def refuse(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor = request["actor"]
    asked = _decidable(uow, "refuse", actor, request["request_id"])
    asked.status, asked.decided_by, asked.decided_at = "refused", actor["username"], utcnow()
    asked.decision_reason = request["reason"]
    uow.emit(_audit("refuse", actor, asked))
    return view(asked)


def _decidable(uow: UnitOfWork, action: str, actor: dict, request_id: str) -> DisclosureRequest:
    """The request, locked, if this actor may decide it now; otherwise the refusal, audited."""
    asked = _locked(uow, action, actor, request_id)
    refusal = (
        ApproversOnly() if actor["role"] != APPROVER
        else OwnRequest() if actor["username"] == asked.requested_by
        else StandInApprover(SAME_CREATOR_DAYS) if _made_by_the_same_creator(actor, asked)
        else OtherLocalAuthority() if actor["la_code"] != asked.requester_la_code
        else AlreadyDecided(asked.status) if asked.status != "pending"
        else None
    )
    if refusal:
        _refuse(uow, action, actor, refusal, asked=asked)
    return asked


def _made_by_the_same_creator(approver: dict, asked: DisclosureRequest) -> bool:
    """Whether one administrator created the approver's and the requester's accounts within ``SAME_CREATOR_DAYS``."""
    made_at = _instant(approver.get("created_at"))
    return (approver.get("created_by") is not None and approver.get("created_by") == asked.requester_created_by
            and made_at is not None and asked.requester_created_at is not None
            and abs(made_at - asked.requester_created_at) <= timedelta(days=SAME_CREATOR_DAYS))


def _instant(seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, timezone.utc) if seconds is not None else None


def read_disclosed(uow: UnitOfWork, request: dict, envelope=None, *, ask_directory: AskDirectory) -> dict:
    """The one record an approved request discloses, to its requester, once, in time; asked of the directory with the grant."""
    actor = request["actor"]
    asked = _locked(uow, "read", actor, request["request_id"])
    if actor["username"] != asked.requested_by:
        _refuse(uow, "read", actor, RequestersOnly(), asked=asked)
    status = status_of(asked, utcnow())
    if status != "approved":
        _refuse(uow, "read", actor, NotReadable(status), asked=asked)
    record = ask_directory(requests.DISCLOSE_CHILD, {"grant": asked.grant}, bearer_token(envelope))
    asked.status, asked.read_at = "read", utcnow()
    uow.emit(_audit("read", actor, asked))
    return {"request": view(asked), "record": record}


def _grant(asked: DisclosureRequest) -> dict:
    return {"request_id": asked.request_id, "contactpoint_id": asked.contactpoint_id, "ground": asked.ground,
            "reference": asked.reference, "requested_by": asked.requested_by, "approved_by": asked.decided_by}


def list_requests(uow: UnitOfWork, request: dict, envelope=None, *, ask_directory: AskDirectory) -> list[dict]:
    """An approver sees the requests of their LA, each with who the child is (asked of the directory with the approver's
    token); anyone else sees their own."""
    actor, wanted = request["actor"], request["status"]
    query = select(DisclosureRequest).order_by(DisclosureRequest.requested_at.desc()).limit(500)
    if actor["role"] == APPROVER:
        query = query.where(DisclosureRequest.requester_la_code == actor["la_code"])
    else:
        query = query.where(DisclosureRequest.requested_by == actor["username"])
    now = utcnow()
    found = [view(asked, now) for asked in uow.session.scalars(query)]
    found = [row for row in found if wanted in (None, row["status"])]
    children = sorted({row["contactpoint_id"] for row in found})
    uow.emit(audit_event(SERVICE, "list", actor=actor, criteria={"status": wanted}, contactpoint_ids=children))
    if actor["role"] != APPROVER or not children:
        return [{**row, "child": None} for row in found]
    named = ask_directory(requests.IDENTIFY_CHILDREN, {"contactpoint_ids": children}, bearer_token(envelope))["children"]
    by_id = {child["contactpoint_id"]: child for child in named}
    return [{**row, "child": by_id.get(row["contactpoint_id"])} for row in found]


def status_of(asked: DisclosureRequest, now: datetime) -> str:
    if asked.status == "approved" and now >= asked.readable_until:
        return "expired"
    return asked.status


def view(asked: DisclosureRequest, now: datetime | None = None) -> dict:
    return {
        "request_id": asked.request_id, "contactpoint_id": asked.contactpoint_id, "ground": asked.ground,
        "reference": asked.reference, "requested_by": asked.requested_by, "requested_at": _iso(asked.requested_at),
        "status": status_of(asked, now or utcnow()), "decided_by": asked.decided_by, "decided_at": _iso(asked.decided_at),
        "reason": asked.decision_reason, "readable_until": _iso(asked.readable_until), "read_at": _iso(asked.read_at),
    }


def _locked(uow: UnitOfWork, action: str, actor: dict, request_id: str) -> DisclosureRequest:
    asked = uow.session.get(DisclosureRequest, request_id, with_for_update=True)
    if asked is None:
        _refuse(uow, action, actor, RequestNotFound(request_id), request_id=request_id)
    return asked


def _audit(action: str, actor: dict, asked: DisclosureRequest, refusal: DomainError | None = None):
    detail = {"request_id": asked.request_id, "ground": asked.ground, "reference": asked.reference,
              "requested_by": asked.requested_by, "decided_by": asked.decided_by, "status": asked.status}
    return audit_event(
        SERVICE, action, actor=actor, outcome="refused" if refusal else "success", subject=asked.request_id,
        contactpoint_ids=[asked.contactpoint_id], detail={**detail, "refusal": refusal.as_dict()} if refusal else detail,
    )


def _refuse(uow: UnitOfWork, action: str, actor: dict, refusal: DomainError, *, asked: DisclosureRequest | None = None,
            request_id: str | None = None, contactpoint_id: str | None = None):
    """Refuses, carrying the refused step's audit event."""
    if asked is not None:
        event = _audit(action, actor, asked, refusal)
    else:
        event = audit_event(SERVICE, action, actor=actor, outcome="refused", subject=request_id,
                            contactpoint_ids=[contactpoint_id] if contactpoint_id else [], detail={"refusal": refusal.as_dict()})
    raise refusal.audited(event)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def routes(*, pseudonyms: Pseudonymiser, ask_directory: AskDirectory, read_seconds: int, grant_key: str) -> Routes:
    requesters, anyone_signed_in = people(*REQUESTERS), people(*REQUESTERS, AUDITOR)
    return Routes(
        requests={
            requests.REQUEST_DISCLOSURE: Request(RequestDisclosureSchema, partial(request_disclosure, pseudonyms=pseudonyms), requesters),
            requests.APPROVE_DISCLOSURE: Request(DecisionSchema, partial(approve, read_seconds=read_seconds, grant_key=grant_key), anyone_signed_in),
            requests.REFUSE_DISCLOSURE: Request(DecisionSchema, refuse, anyone_signed_in),
            requests.READ_DISCLOSURE: Request(ReadDisclosureSchema, partial(read_disclosed, ask_directory=ask_directory), requesters),
            requests.LIST_DISCLOSURES: Request(ListDisclosuresSchema, partial(list_requests, ask_directory=ask_directory), anyone_signed_in),
            requests.FORGET_CONSUMED: Request(ForgetConsumedSchema, forget_consumed, SCHEDULED),
        },
        events=[Subscription(DISCLOSURE_CHILD_UPDATES, partial(hold_child, pseudonyms=pseudonyms), schema=ChildMergedSchema, senders=("feeds",))],
    )
