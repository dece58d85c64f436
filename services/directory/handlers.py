"""The directory's handlers: hold what the feeds service merged; answer searches and reads, each audited before it is answered."""
from __future__ import annotations

from services.directory import queries, rules
from services.directory.errors import ChildNotFound
from services.directory.models import Child
from services.directory.schemas import ReadSchema, SearchSchema
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.contracts.children import ChildMergedSchema
from shared.contracts.disclosure import DiscloseChildSchema
from shared.contracts.validators import normal_postcode
from shared.errors import InvalidRequest
from shared.messaging.consumer import Subscription
from shared.messaging.topology import DIRECTORY_CHILD_UPDATES
from shared.names import name_key
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "directory"


def hold_child(uow: UnitOfWork, snapshot: dict, envelope=None) -> None:
    """Keeps the newest version of a child; an older or repeated version changes nothing."""
    child = uow.session.get(Child, snapshot["contactpoint_id"], with_for_update=True)
    if child is not None and child.version >= snapshot["version"]:
        return
    if child is None:
        child = Child(contactpoint_id=snapshot["contactpoint_id"])
        uow.session.add(child)
    demographics = snapshot["demographics"]
    identifiers = demographics["identifiers"]
    child.version = snapshot["version"]
    child.la_code = snapshot["la_code"]
    child.active = snapshot["active"]
    child.shielded = snapshot["shielded"]
    child.family_name = demographics["family_name"]
    child.family_key = name_key(demographics["family_name"])
    child.given_names = demographics["given_names"]
    child.former_family_keys = [name_key(name) for name in demographics["former_family_names"]]
    child.date_of_birth = demographics["date_of_birth"]
    child.gender = demographics["gender"]
    child.postcode = normal_postcode(demographics["address"]["postcode"])
    child.nhs_number = identifiers.get("nhs_number")
    child.upn = identifiers.get("upn")
    child.record = ChildMergedSchema(only=("contactpoint_id", "demographics", "carers", "involvements", "source_records", "retain_to_25")).dump(snapshot)


def search_children(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, purpose = request["actor"], request["purpose"]
    try:
        rules.require_purpose(purpose)
        criteria = rules.require_identifying(request["criteria"])
    except InvalidRequest as refusal:
        uow.publish_now(audit_event(SERVICE, "search", actor=actor, outcome="refused", purpose=purpose,
                                    criteria=request["criteria"], detail=refusal.as_dict()))
        raise
    results = queries.search(uow.session, criteria)
    uow.publish_now(audit_event(SERVICE, "search", actor=actor, purpose=purpose, criteria=criteria,
                                contactpoint_ids=[r["contactpoint_id"] for r in results]))
    return {"results": results}


def read_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, purpose, contactpoint_id = request["actor"], request["purpose"], request["contactpoint_id"]
    rules.require_purpose(purpose)
    child = queries.held(uow.session, contactpoint_id)
    if child is None or not child.active:
        raise ChildNotFound(contactpoint_id)
    uow.publish_now(audit_event(SERVICE, "read", actor=actor, purpose=purpose, subject=contactpoint_id,
                                contactpoint_ids=[contactpoint_id], detail={"child_la_code": child.la_code, "shielded": child.shielded}))
    return _as_read(child, sees_sensitive=actor["sees_sensitive"])


def disclose_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """One child's record for a single-record disclosure a second person approved (the grant says who and why); audited first."""
    actor, grant = request["actor"], request["grant"]
    child = queries.held(uow.session, grant["contactpoint_id"])
    if child is None or not child.active:
        raise ChildNotFound(grant["contactpoint_id"])
    uow.publish_now(audit_event(SERVICE, "disclose", actor=actor, subject=grant["contactpoint_id"], contactpoint_ids=[grant["contactpoint_id"]],
                                detail={**grant, "child_la_code": child.la_code, "shielded": child.shielded}))
    return _as_read(child, sees_sensitive=False)


def _as_read(child: Child, *, sees_sensitive: bool) -> dict:
    record = {key: value for key, value in child.record.items() if key != "source_records"}
    return rules.withhold(record, shielded=child.shielded, sees_sensitive=sees_sensitive)


def routes() -> Routes:
    return Routes(
        requests={
            requests.SEARCH_CHILDREN: Request(SearchSchema, search_children),
            requests.READ_CHILD: Request(ReadSchema, read_child),
            requests.DISCLOSE_CHILD: Request(DiscloseChildSchema, disclose_child),
        },
        events=[Subscription(DIRECTORY_CHILD_UPDATES, hold_child, schema=ChildMergedSchema)],
    )
