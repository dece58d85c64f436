"""The directory's handlers: hold what the feeds service merged; answer searches and reads, each audited before it is answered."""
from __future__ import annotations

from datetime import date
from functools import partial

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.engine import Row

from services.directory import queries, rules
from services.directory.errors import ChildNotFound, NotYourLA
from services.directory.matching import dated_keys, search_keys
from services.directory.models import ArchivedChild, Child, LaTeam, SearchKey
from services.directory.schemas import LaTeamSchema, ReadSchema, ScheduledSchema, SearchSchema
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.contracts.children import ChildMergedSchema
from shared.contracts.disclosure import DiscloseChildSchema, IdentifyChildrenSchema, InvalidGrant, verified_grant
from shared.contracts.validators import normal_postcode, postcode_district
from shared.db import append_rows, one_of
from shared.errors import InvalidRequest
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import Envelope, utcnow
from shared.messaging.topology import DIRECTORY_CHILD_UPDATES
from shared.names import name_key
from shared.principals import APPROVER, LA_ADMIN, OPERATOR, OPERATOR_ONLY, READERS, SCHEDULED, people
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "directory"
# The grants of single-record disclosures that have been used, each once (kept as the messages this service has handled are).
USED_GRANTS = "disclosure-grants"
# Updates that arrive together are held in one transaction: one commit for many children.
HOLD_BATCH = 100
RECORD_FIELDS = ("contactpoint_id", "demographics", "carers", "involvements", "source_records", "retain_to_25")


def hold_children(uow: UnitOfWork, batch: list[tuple[dict, Envelope]]) -> None:
    """Keeps the newest version of each child; an older or repeated version, or a child who has left by age, changes nothing.

    However many arrive together, the held rows are locked in one query, and rows and search keys written in one statement each.
    """
    newest: dict[str, dict] = {}
    for snapshot, _ in batch:
        known = newest.get(snapshot["contactpoint_id"])
        if known is None or snapshot["version"] > known["version"]:
            newest[snapshot["contactpoint_id"]] = snapshot
    held = dict(uow.session.execute(select(Child.contactpoint_id, Child.version).where(one_of(Child.contactpoint_id, newest)).with_for_update()).all())
    archived = set(uow.session.scalars(select(ArchivedChild.contactpoint_id).where(one_of(ArchivedChild.contactpoint_id, newest))))
    changed = [s for cp_id, s in newest.items() if cp_id not in archived and held.get(cp_id, 0) < s["version"]]
    if not changed:
        return
    rows = [row_of(snapshot) for snapshot in changed]
    updated = [row for row in rows if row["contactpoint_id"] in held]
    if updated:
        uow.session.execute(update(Child.__table__).where(Child.contactpoint_id == bindparam("cp_id")),
                            [{**row, "cp_id": row["contactpoint_id"]} for row in updated])
        # Only a held child has search keys to replace: keys are written and deleted with the child's row.
        uow.session.execute(delete(SearchKey.__table__).where(one_of(SearchKey.contactpoint_id, [row["contactpoint_id"] for row in updated])))
    append_rows(uow.session, Child.__table__, [row for row in rows if row["contactpoint_id"] not in held])
    append_rows(uow.session, SearchKey.__table__, [{"key": key, "contactpoint_id": s["contactpoint_id"]} for s in changed for key in keys_of(s)])


def row_of(snapshot: dict) -> dict:
    """The ``children`` row that holds a ``feeds.child.merged`` snapshot (as ``ChildMergedSchema`` loads it)."""
    return {**search_columns(snapshot), "record": {name: snapshot[name] for name in RECORD_FIELDS}}


def search_columns(snapshot: dict) -> dict:
    """The columns a child is searched and ruled by: every column of the row but the record shown."""
    demographics = snapshot["demographics"]
    identifiers = demographics["identifiers"]
    return {
        "contactpoint_id": snapshot["contactpoint_id"],
        "version": snapshot["version"],
        "la_code": snapshot["la_code"],
        "active": snapshot["active"],
        "shielded": snapshot["shielded"],
        "family_name": demographics["family_name"],
        "family_key": name_key(demographics["family_name"]),
        "given_names": demographics["given_names"],
        "former_family_keys": [name_key(name) for name in demographics["former_family_names"]],
        "date_of_birth": demographics["date_of_birth"],
        "gender": demographics["gender"],
        "postcode": normal_postcode(demographics["address"].get("postcode") or ""),
        "nhs_number": identifiers.get("nhs_number"),
        "upn": identifiers.get("upn"),
        "retain_to_25": snapshot["retain_to_25"],
    }


def keys_of(snapshot: dict) -> set[str]:
    """The phonetic keys the child is found by: from two names, or from a name and its date of birth.

    A shielded child has no keys of two names, which carry their postcode district: they are found by who they are, never where.
    """
    demographics = snapshot["demographics"]
    if snapshot["shielded"]:
        return dated_keys([demographics["family_name"], *demographics["former_family_names"]], demographics["given_names"],
                          {demographics["date_of_birth"]})
    return search_keys([demographics["family_name"], *demographics["former_family_names"]], demographics["given_names"],
                       demographics["date_of_birth"], postcode_district(demographics["address"].get("postcode") or ""))


def search_children(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, purpose = request["actor"], request["purpose"]
    try:
        rules.require_purpose(purpose)
        criteria = rules.require_identifying(request["criteria"])
        found = queries.search(uow.session, criteria)
    except InvalidRequest as refusal:
        raise refusal.audited(audit_event(SERVICE, "search", actor=actor, outcome="refused", purpose=purpose,
                                          criteria=request["criteria"], detail=refusal.as_dict()))
    uow.publish_now(audit_event(SERVICE, "search", actor=actor, purpose=purpose, criteria=criteria,
                                contactpoint_ids=[r["contactpoint_id"] for r in found["results"]]))
    return found


def read_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, purpose, contactpoint_id = request["actor"], request["purpose"], request["contactpoint_id"]
    try:
        rules.require_purpose(purpose)
        child = queries.held(uow.session, contactpoint_id)
        if child is None or not child.active:
            raise ChildNotFound(contactpoint_id)
    except (InvalidRequest, ChildNotFound) as refusal:
        # A look refused is a look tried: the trail shows who asked for which child, for what, and why nothing was shown.
        raise refusal.audited(audit_event(SERVICE, "read", actor=actor, outcome="refused", purpose=purpose, subject=contactpoint_id,
                                          contactpoint_ids=[contactpoint_id], detail={"refusal": refusal.as_dict()}))
    involved = rules.la_involved(child.record, actor["la_code"])
    uow.publish_now(audit_event(SERVICE, "read", actor=actor, purpose=purpose, subject=contactpoint_id, contactpoint_ids=[contactpoint_id],
                                detail={"child_la_code": child.la_code, "shielded": child.shielded, "actor_involved": involved}))
    return _as_read(uow, child, sees_sensitive=actor["sees_sensitive"])


def disclose_child(uow: UnitOfWork, request: dict, envelope=None, *, grant_public_key: str) -> dict:
    """One child's record for a single-record disclosure a second person approved, to the person it was granted to, once.

    The grant (who and why) is the disclosure service's, signed when it was approved; a grant not
    signed so, expired, granted to someone else or used before discloses nothing, and is audited.
    """
    actor = request["actor"]
    try:
        grant = verified_grant(grant_public_key, request["grant"])
        if grant["requested_by"] != actor["username"]:
            raise InvalidGrant("the disclosure grant was made to someone else")
        if not uow.claim(USED_GRANTS, [grant["request_id"]]):
            raise InvalidGrant("the disclosure grant has been used already")
    except InvalidGrant as refusal:
        raise refusal.audited(audit_event(SERVICE, "disclose", actor=actor, outcome="refused", detail={"refusal": refusal.as_dict()}))
    child = queries.held(uow.session, grant["contactpoint_id"])
    if child is None or not child.active:
        refusal = ChildNotFound(grant["contactpoint_id"])
        raise refusal.audited(audit_event(SERVICE, "disclose", actor=actor, outcome="refused", subject=grant["contactpoint_id"],
                                          contactpoint_ids=[grant["contactpoint_id"]], detail={**grant, "refusal": refusal.as_dict()}))
    uow.publish_now(audit_event(SERVICE, "disclose", actor=actor, subject=grant["contactpoint_id"], contactpoint_ids=[grant["contactpoint_id"]],
                                detail={**grant, "child_la_code": child.la_code, "shielded": child.shielded}))
    return _as_read(uow, child, sees_sensitive=False)


def identify_children(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Who the children of an approver's disclosure requests are (name, date of birth and gender, as a search result
    shows a shielded child), so that the approver decides knowing whom each request is about; the look is audited."""
    actor, asked = request["actor"], sorted(set(request["contactpoint_ids"]))
    held = uow.session.scalars(select(Child).where(one_of(Child.contactpoint_id, asked), Child.active)).all() if asked else []
    uow.publish_now(audit_event(SERVICE, "identify", actor=actor, contactpoint_ids=[child.contactpoint_id for child in held],
                                detail={"for": "disclosure_decisions", "asked": len(asked)}))
    return {"children": [{
        "contactpoint_id": child.contactpoint_id, "family_name": child.family_name, "given_names": child.given_names,
        "date_of_birth": child.date_of_birth.isoformat(), "gender": child.gender,
    } for child in held]}


def _as_read(uow: UnitOfWork, child: Row, *, sees_sensitive: bool) -> dict:
    record = {key: value for key, value in child.record.items() if key != "source_records"}
    team = uow.session.get(LaTeam, child.la_code) if child.shielded else None
    return rules.withhold(record, shielded=child.shielded, sees_sensitive=sees_sensitive, la_code=child.la_code,
                          la_team=team_contact(team) if team else None)


def team_contact(team: LaTeam) -> dict:
    return {"la_code": team.la_code, "name": team.name, "phone": team.phone, "email": team.email}


def set_la_team(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """How readers of its shielded children reach an LA's ContactPoint team: set by that team for its own LA (or by an operator)."""
    actor = request["actor"]
    la_code = request["la_code"] or actor["la_code"]
    if actor["role"] == LA_ADMIN and la_code != actor["la_code"]:
        raise NotYourLA("an LA's ContactPoint team sets its own LA's contact only")
    if actor["role"] == OPERATOR and not request["la_code"]:
        raise InvalidRequest("name the local authority whose team this is (la_code)", code="la_code_required")
    team = uow.session.get(LaTeam, la_code, with_for_update=True) or LaTeam(la_code=la_code)
    team.name, team.phone, team.email = request["name"], request["phone"], request["email"]
    team.set_by, team.set_at = actor["username"], utcnow()
    uow.session.add(team)
    contact = team_contact(team)
    uow.emit(audit_event(SERVICE, "la_team_set", actor=actor, la_code=la_code, subject=la_code, detail=contact))
    return contact


def archive_leavers(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Moves every child past 18 (25 with consent) out of the directory into the archive; scheduled daily."""
    today = request["today"] or date.today()
    leavers = uow.session.scalars(select(Child).where(or_(
        and_(Child.retain_to_25.is_(False), Child.date_of_birth <= rules.latest_birth_date_gone(today, retain_to_25=False)),
        Child.date_of_birth <= rules.latest_birth_date_gone(today, retain_to_25=True),
    ))).all()
    archived = [leaver.contactpoint_id for leaver in leavers]
    uow.session.add_all(ArchivedChild(contactpoint_id=leaver.contactpoint_id, archived_on=today, record=leaver.record) for leaver in leavers)
    uow.session.execute(delete(SearchKey).where(SearchKey.contactpoint_id.in_(archived)))
    uow.session.execute(delete(Child).where(Child.contactpoint_id.in_(archived)))
    uow.emit(audit_event(SERVICE, "archive", actor=request["actor"], contactpoint_ids=archived, detail={"archived": len(archived)}))
    return {"archived": len(archived)}


def delete_expired_archive(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Deletes archived records kept past the retention period; scheduled daily."""
    today = request["today"] or date.today()
    expired = uow.session.scalars(select(ArchivedChild.contactpoint_id).where(ArchivedChild.archived_on < rules.archive_deleted_before(today))).all()
    uow.session.execute(delete(ArchivedChild).where(ArchivedChild.contactpoint_id.in_(expired)))
    uow.emit(audit_event(SERVICE, "delete_archived", actor=request["actor"], contactpoint_ids=list(expired), detail={"deleted": len(expired)}))
    return {"deleted": len(expired)}


def routes(*, grant_public_key: str) -> Routes:
    readers = people(*READERS)
    return Routes(
        requests={
            requests.SEARCH_CHILDREN: Request(SearchSchema, search_children, readers, reads_only=True),
            requests.READ_CHILD: Request(ReadSchema, read_child, readers, reads_only=True),
            requests.SET_LA_TEAM: Request(LaTeamSchema, set_la_team, people(LA_ADMIN) | OPERATOR_ONLY),
            requests.ARCHIVE_LEAVERS: Request(ScheduledSchema, archive_leavers, SCHEDULED),
            requests.DELETE_EXPIRED_ARCHIVE: Request(ScheduledSchema, delete_expired_archive, SCHEDULED),
            # Put by the disclosure service for the person the grant was made to: both must prove who they are.
            requests.DISCLOSE_CHILD: Request(DiscloseChildSchema, partial(disclose_child, grant_public_key=grant_public_key),
                                             people(*READERS, LA_ADMIN), senders=("disclosure",)),
            requests.IDENTIFY_CHILDREN: Request(IdentifyChildrenSchema, identify_children, people(APPROVER), reads_only=True,
                                                senders=("disclosure",)),
        },
        events=[Subscription(DIRECTORY_CHILD_UPDATES, batch_handler=hold_children, batch=HOLD_BATCH, schema=ChildMergedSchema,
                             senders=("feeds",))],
    )
