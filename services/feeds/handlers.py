"""The feeds service's handlers: take in what sources send, link it to a child, and tell the directory and the source."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial
from weakref import WeakKeyDictionary

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import make_transient_to_detached

from services.feeds import accuracy, linkage_model, linking, matching, merging
from services.feeds.errors import (
    NotYourLA, ReviewRefused, SourceExists, SourceNotAllowed, UnknownChild, UnknownRecord, UnknownSource, UnknownTask,
)
from services.feeds.models import LabelledPair, LinkageModelUsed, LinkedChild, ReviewTask, Source, SourceRecord
from services.feeds.schemas import (
    AcceptedFeedMessageSchema, AddSourceSchema, ExportChildrenSchema, LinkageAccuracySchema, ListReviewsSchema, ListSourcesSchema,
    RefreshTermFrequenciesSchema, RepublishChildrenSchema, ReviewDecisionSchema, ShieldingSchema, ShowLinkageModelSchema, SourceIdSchema,
    SplitRecordSchema, UseLinkageModelSchema,
)
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.contracts.children import child_merged
from shared.contracts.feeds import NO_INVOLVEMENT, feedback, kind_of, rejection, source_of
from shared.db import append_rows, one_of
from shared.errors import InvalidRequest
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import Envelope, utcnow
from shared.messaging.rpc import Asker
from shared.messaging.topology import FEEDS_PARTNER_MESSAGES
from shared.principals import LA_ADMIN, OPERATOR, OPERATOR_ONLY, SCHEDULED, people
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "feeds"
LA_TEAM = LA_ADMIN
# The LA ContactPoint team in the portal, and an operator at the command line.
REVIEWERS = (LA_TEAM, OPERATOR)
# Partner messages that arrive together are matched and committed together: one transaction, not one each.
PARTNER_MESSAGE_BATCH = 100


def receive_feed_message(uow: UnitOfWork, message: dict, envelope: Envelope) -> None:
    receive_feed_messages(uow, [(message, envelope)])


def receive_feed_messages(uow: UnitOfWork, batch: list[tuple[dict, Envelope]]) -> None:
    """Many messages in one go: their records locked in one query, what they made written together, each child touched rebuilt and published once."""
    keys = [(source_of(envelope.routing_key), message["source_record_id"]) for message, envelope in batch]
    held = {(r.source_id, r.source_record_id): r for r in uow.session.scalars(
        select(SourceRecord).where(one_of((SourceRecord.source_id, SourceRecord.source_record_id), keys)).with_for_update())}
    already_held = set(held)
    # Each message's child as matching compares it: worked out once, for the read of those nearby, the match and the record's keys.
    described = [matching.Described.of(message["child"]) if message.get("child") is not None else None for message, _ in batch]
    nearby = matching.Nearby.read(uow.session, [child for child, key in zip(described, keys) if child is not None and key not in held])
    intake = _Intake(nearby, _children_of(uow, held.values()), model_in_force(uow.session))
    touched: dict[str, LinkedChild] = {}
    told: list[Envelope] = []
    for (message, envelope), key, description in zip(batch, keys, described):
        answer, child, held[key] = _take(uow, message, envelope, held.get(key), description, intake)
        told.append(answer)
        if child is not None:
            touched[child.contactpoint_id] = child
    _write_made(uow, intake, [record for key, record in held.items() if key not in already_held and record is not None])
    _publish_with(uow, list(touched.values()), told, born=set(intake.born))


@dataclass
class _Intake:
    """What the messages of one batch share as each is taken in turn, and what they made, written once all are taken."""

    nearby: matching.Nearby
    # The children of the records held before the batch.
    linked: dict[str, LinkedChild]
    model: linkage_model.LinkageModel
    # The children the batch made, each at its first version, which publishing it does not raise again.
    born: dict[str, LinkedChild] = field(default_factory=dict)
    # The tasks it set a person, about children it made.
    tasks: list[ReviewTask] = field(default_factory=list)

    def child(self, uow: UnitOfWork, contactpoint_id: str) -> LinkedChild:
        """A child the batch made, or one held before it."""
        return self.born.get(contactpoint_id) or self.linked.get(contactpoint_id) or uow.session.get(LinkedChild, contactpoint_id)


def _children_of(uow: UnitOfWork, records) -> dict[str, LinkedChild]:
    """The children these records are linked to, read in one query rather than one by one as each message comes to its record."""
    ids = {record.contactpoint_id for record in records}
    if not ids:
        return {}
    return {child.contactpoint_id: child for child in uow.session.scalars(select(LinkedChild).where(one_of(LinkedChild.contactpoint_id, ids)))}


def _write_made(uow: UnitOfWork, intake: _Intake, records: list[SourceRecord]) -> None:
    """Writes the children and records new to this batch, as they now stand, one statement each where the session would insert
    them one object at a time (the session then keeps them as written); then the tasks for a person about them."""
    uow.session.flush()
    for model, made in ((LinkedChild, list(intake.born.values())), (SourceRecord, records)):
        given = [column for column in model.__table__.columns if column.server_default is None]
        append_rows(uow.session, model.__table__, [{column.key: getattr(row, column.key) for column in given} for row in made])
        for row in made:
            make_transient_to_detached(row)
            uow.session.add(row)
    uow.session.add_all(intake.tasks)


def _take(uow: UnitOfWork, message: dict, envelope: Envelope, record: SourceRecord | None, described: matching.Described | None,
          intake: _Intake) -> tuple[Envelope, LinkedChild | None, SourceRecord | None]:
    """Applies one message to what is held; gives the source's answer, the child it changed if any, and the record as it now is."""
    source = _authorised_source(uow, message, envelope)
    if record is not None and record.sequence >= message["sequence"]:
        return feedback(source.source_id, "accepted", envelope.message_id, applied=False,
                        note=f"sequence {message['sequence']} is not newer than {record.sequence}, which is held"), None, record
    if message["action"] == "remove":
        if record is None:
            return feedback(source.source_id, "accepted", envelope.message_id, applied=False, note="no record of this child is held"), None, None
        record.held = False
        record.sequence = message["sequence"]
        record.received_at = utcnow()
        child = intake.child(uow, record.contactpoint_id)
    else:
        record, child = _hold(uow, source, record, message, described, envelope.body, intake)
    return feedback(source.source_id, "accepted", envelope.message_id, applied=True, contactpoint_id=child.contactpoint_id), child, record


def _publish_with(uow: UnitOfWork, children: list[LinkedChild], told: list[Envelope], born: set[str] = frozenset()) -> None:
    # One statement locks each child held before and raises its version; the rows it returns are read afresh, for a
    # person's review may have been changing the same child. The children ``born`` here are at their first version.
    held_before = [child.contactpoint_id for child in children if child.contactpoint_id not in born]
    if held_before:
        uow.session.scalars(update(LinkedChild).where(one_of(LinkedChild.contactpoint_id, held_before))
                            .values(version=LinkedChild.version + 1).returning(LinkedChild)
                            .execution_options(populate_existing=True, synchronize_session=False)).all()
    uow.emit(*(child_merged(merged) for merged in merging.snapshots(uow.session, children)), *told)


def _hold(uow: UnitOfWork, source: Source, record: SourceRecord | None, message: dict, described: matching.Described, raw: dict,
          intake: _Intake) -> tuple[SourceRecord, LinkedChild]:
    if record is None:
        linked = _child_for(uow, described, intake)
        # Not added to the session: the batch writes what it made together (``_write_made``).
        record = SourceRecord(source_id=source.source_id, source_record_id=message["source_record_id"], contactpoint_id=linked.contactpoint_id,
                              linked_by=None)
    else:
        linked = intake.child(uow, record.contactpoint_id)
    for column, value in matching.blocking_keys(described).items():
        setattr(record, column, value)
    record.sequence = message["sequence"]
    record.held = True
    record.message = raw
    record.received_at = utcnow()
    intake.nearby.hold(record)
    if message["child"].get("shielded") and not linked.shielded:
        linked.shielded = True
        uow.emit(_shielding_audited(linked, True, actor=None, la_code=source.la_code, by="source", reason="the source's record says so",
                                    source_id=source.source_id, source_record_id=record.source_record_id))
    return record, linked


def _child_for(uow: UnitOfWork, described: matching.Described, intake: _Intake) -> LinkedChild:
    """The held child a new record is about; or a new child, with a task for a person when the match is unsure."""
    match = matching.find_child(uow.session, described, intake.nearby, intake.model)
    if match.decision == "link":
        return intake.child(uow, match.contactpoint_id)
    new = LinkedChild(contactpoint_id=matching.new_contactpoint_id(), version=1, merged_into=None, shielded=False)
    intake.born[new.contactpoint_id] = new
    if match.decision == "review":
        intake.tasks.append(ReviewTask(contactpoint_id=new.contactpoint_id, candidate_id=match.contactpoint_id, weight=match.weight, status="open"))
    return new


def _authorised_source(uow: UnitOfWork, message: dict, envelope: Envelope) -> Source:
    source_id = source_of(envelope.routing_key)
    # Kept for the unit of work: a batch asks for the same few sources again and again.
    known = uow.session.info.setdefault("sources", {})
    source = known[source_id] if source_id in known else known.setdefault(source_id, uow.session.get(Source, source_id))
    if source is None or not source.enabled:
        raise SourceNotAllowed(f"{source_id!r} is not a registered, enabled source")
    if envelope.user_id != source_id:
        raise SourceNotAllowed(f"the message must be published by the source's own broker user ({source_id!r}) with user_id set")
    kind = kind_of(envelope.routing_key)
    if kind not in source.kinds and not (kind == NO_INVOLVEMENT and message.get("involvement") is None):
        raise SourceNotAllowed(f"{source_id!r} is not registered to send {kind!r}")
    involvement = message.get("involvement")
    if involvement is not None and involvement["service"] != kind:
        service = involvement["service"]
        raise SourceNotAllowed(f"an involvement of service {service!r} must be sent as {source_id}.{service}, not {kind!r}")
    return source


def reject_to_source(envelope: Envelope, reason: dict) -> list[Envelope]:
    return [rejection(source_of(envelope.routing_key), envelope.message_id, reason)]


def list_reviews(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    """Open review tasks, each with both children side by side as they stand now; an LA's team sees its own LA's."""
    tasks = uow.session.scalars(select(ReviewTask).where(ReviewTask.status == "open").order_by(ReviewTask.task_id)).all()
    if request["actor"]["role"] == LA_TEAM:
        tasks = [task for task in tasks if request["actor"]["la_code"] in _las_holding(uow, task)]
    shown = [
        {"task_id": task.task_id, "weight": round(task.weight, 2), "created_at": task.created_at.isoformat() if task.created_at else None,
         "record": _side(uow, task.contactpoint_id), "candidate": _side(uow, task.candidate_id)}
        for task in tasks
    ]
    # Each task shows two children's details to a person: a look at child data like any read, so each is audited.
    actor = request["actor"]
    shown_children = sorted({cp for t in tasks for cp in (t.contactpoint_id, t.candidate_id)})
    uow.emit(audit_event(SERVICE, "reviews_listed", actor=actor, contactpoint_ids=shown_children,
                         detail={"task_ids": [task.task_id for task in tasks]}),
             *(audit_event(SERVICE, "review_task_viewed", actor=actor, subject=str(task.task_id),
                           contactpoint_ids=[task.contactpoint_id, task.candidate_id], detail={"task_id": task.task_id}) for task in tasks))
    return shown


def link_review(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """A person says the two are one child: the record's child joins the candidate, and stays joined."""
    task = _open_task(uow, request)
    moved, kept = _children(uow, task.contactpoint_id, task.candidate_id)
    if linking.identifiers_conflict(uow.session, moved.contactpoint_id, kept.contactpoint_id):
        raise ReviewRefused(f"task {task.task_id}: the two children's verified identifiers differ, so they are never one child")
    _keep_labelled(uow, task, moved, kept, same_child=True, request=request)
    linking.join(uow.session, moved, kept, decided_by=request["actor"]["username"])
    _decide(uow, task, "linked", request)
    linking.retarget_tasks(uow.session, moved.contactpoint_id, kept.contactpoint_id)
    _publish(uow, moved, kept)
    return {"task_id": task.task_id, "status": task.status, "contactpoint_id": kept.contactpoint_id}


def separate_review(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """A person says the two are different children: both stay as they are, and the system never joins them."""
    task = _open_task(uow, request)
    held, candidate = _children(uow, task.contactpoint_id, task.candidate_id)
    _keep_labelled(uow, task, held, candidate, same_child=False, request=request)
    linking.confirm(uow.session, held, decided_by=request["actor"]["username"])
    _decide(uow, task, "separated", request)
    _publish(uow, held, candidate)
    return {"task_id": task.task_id, "status": task.status, "contactpoint_id": held.contactpoint_id}


def split_record(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Undoes a wrong link: the record becomes a child of its own, and the child it left is rebuilt from its other records."""
    record = uow.session.get(SourceRecord, (request["source_id"], request["source_record_id"]), with_for_update=True)
    if record is None:
        raise UnknownRecord(request["source_id"], request["source_record_id"])
    left = uow.session.get(LinkedChild, record.contactpoint_id, with_for_update=True)
    if not _others_linked(uow, record):
        raise ReviewRefused(f"{record.source_id}/{record.source_record_id} is the only record of {left.contactpoint_id}: it stands alone already")
    # A record split from a shielded child may well be the one that said so: it stays shielded until the LA team says otherwise.
    alone = LinkedChild(contactpoint_id=matching.new_contactpoint_id(), version=0, shielded=left.shielded)
    uow.session.add(alone)
    uow.session.flush()
    record.contactpoint_id, record.linked_by = alone.contactpoint_id, request["actor"]["username"]
    uow.emit(audit_event(SERVICE, "record_split", actor=request["actor"], subject=left.contactpoint_id,
                         detail={"source_id": record.source_id, "source_record_id": record.source_record_id, "to": alone.contactpoint_id}))
    _publish(uow, left, alone)
    return {"from": left.contactpoint_id, "contactpoint_id": alone.contactpoint_id}


def shield_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """The LA ContactPoint team's decision that a child is at risk if found: shielded until that team lifts it."""
    return _decide_shielding(uow, request, shielded=True)


def unshield_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Lifts a child's shielding, whoever set it: the LA ContactPoint team's alone (its routing table says so)."""
    return _decide_shielding(uow, request, shielded=False)


def _decide_shielding(uow: UnitOfWork, request: dict, *, shielded: bool) -> dict:
    actor, contactpoint_id = request["actor"], request["contactpoint_id"]
    child = uow.session.get(LinkedChild, contactpoint_id, with_for_update=True)
    if child is None or child.merged_into is not None:
        raise UnknownChild(contactpoint_id)
    holding = _las_holding_child(uow, contactpoint_id)
    if actor["role"] == LA_TEAM and actor["la_code"] not in holding:
        raise NotYourLA(f"{contactpoint_id} is a child no source of your LA holds")
    changed = bool(child.shielded) != shielded
    child.shielded = shielded
    uow.emit(_shielding_audited(child, shielded, actor=actor, la_code=next(iter(sorted(holding)), None) if actor["role"] == OPERATOR else None,
                                by="la_team", reason=request["reason"], changed=changed))
    if changed:
        _publish(uow, child)
    return {"contactpoint_id": contactpoint_id, "shielded": shielded, "changed": changed}


def _shielding_audited(child: LinkedChild, shielded: bool, *, actor: dict | None, la_code: str | None, by: str, reason: str, **detail) -> Envelope:
    return audit_event(SERVICE, "child_shielded" if shielded else "child_unshielded", actor=actor, la_code=la_code,
                       subject=child.contactpoint_id, contactpoint_ids=[child.contactpoint_id], detail={"by": by, "reason": reason, **detail})


def _las_holding_child(uow: UnitOfWork, contactpoint_id: str) -> set[str]:
    return set(uow.session.scalars(
        select(Source.la_code).join(SourceRecord, SourceRecord.source_id == Source.source_id)
        .where(SourceRecord.contactpoint_id == contactpoint_id, SourceRecord.held, Source.la_code.is_not(None))
    ))


def _others_linked(uow: UnitOfWork, record: SourceRecord) -> int:
    """How many other records are linked to the record's child."""
    return uow.session.scalar(select(func.count()).select_from(SourceRecord).where(
        SourceRecord.contactpoint_id == record.contactpoint_id,
        tuple_(SourceRecord.source_id, SourceRecord.source_record_id) != (record.source_id, record.source_record_id),
    ))


def _side(uow: UnitOfWork, contactpoint_id: str) -> dict:
    merged = merging.snapshot(uow.session, uow.session.get(LinkedChild, contactpoint_id))
    return {key: merged[key] for key in ("contactpoint_id", "demographics", "source_records", "provenance")}


def _open_task(uow: UnitOfWork, request: dict) -> ReviewTask:
    task = uow.session.get(ReviewTask, request["task_id"], with_for_update=True)
    if task is None:
        raise UnknownTask(request["task_id"])
    if request["actor"]["role"] == LA_TEAM and request["actor"]["la_code"] not in _las_holding(uow, task):
        raise NotYourLA(f"task {task.task_id} is about children no source of your LA holds")
    if task.status != "open":
        raise ReviewRefused(f"task {task.task_id} was already decided ({task.status} by {task.decided_by})")
    return task


def _children(uow: UnitOfWork, *contactpoint_ids: str) -> list[LinkedChild]:
    return [uow.session.get(LinkedChild, cp_id, with_for_update=True) for cp_id in contactpoint_ids]


def _keep_labelled(uow: UnitOfWork, task: ReviewTask, record: LinkedChild, candidate: LinkedChild, *, same_child: bool,
                   request: dict) -> None:
    """A person's decision kept as a labelled pair, both children as they stood before it, for `feeds accuracy` to learn from."""
    record_side, candidate_side = merging.snapshots(uow.session, [record, candidate])
    uow.session.add(LabelledPair(task_id=task.task_id, same_child=same_child, record=record_side["demographics"],
                                 candidate=candidate_side["demographics"], model_version=model_in_force(uow.session).version,
                                 decided_by=request["actor"]["username"], decided_at=utcnow()))


def linkage_accuracy(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Precision and recall of the model in force, with their 95% intervals, over every pair a person decided in review."""
    model = model_in_force(uow.session)
    pairs = uow.session.scalars(select(LabelledPair).order_by(LabelledPair.task_id)).all()
    estimated = accuracy.estimate([(pair.record, pair.candidate, pair.same_child) for pair in pairs], model)
    uow.emit(audit_event(SERVICE, "linkage_accuracy_estimated", actor=request["actor"], subject=model.version,
                         detail={"labelled_pairs": len(pairs), "precision": estimated["precision"]["estimate"],
                                 "recall": estimated["recall"]["estimate"]}))
    return estimated


def _decide(uow: UnitOfWork, task: ReviewTask, status: str, request: dict) -> None:
    task.status, task.decided_by, task.decided_at = status, request["actor"]["username"], utcnow()
    uow.emit(audit_event(SERVICE, f"review_{status}", actor=request["actor"], subject=task.contactpoint_id,
                         detail={"task_id": task.task_id, "candidate_id": task.candidate_id}))


def _publish(uow: UnitOfWork, *children: LinkedChild) -> None:
    for child in children:
        child.version += 1
    uow.session.flush()
    uow.emit(*(child_merged(merging.snapshot(uow.session, child)) for child in children))



def _las_holding(uow: UnitOfWork, task: ReviewTask) -> set[str]:
    """The LAs whose sources hold either child of a task: the ContactPoint team of any of them may decide it."""
    return set(uow.session.scalars(
        select(Source.la_code).join(SourceRecord, SourceRecord.source_id == Source.source_id)
        .where(SourceRecord.contactpoint_id.in_((task.contactpoint_id, task.candidate_id)), SourceRecord.held, Source.la_code.is_not(None))
    ))


def _may_manage_sources(actor: dict, la_code: str | None) -> None:
    """An operator manages every source; an LA's ContactPoint team only its own LA's; no one else any."""
    if actor["role"] == OPERATOR:
        return
    if actor["role"] != LA_TEAM:
        raise NotYourLA("only an LA's ContactPoint team or an operator manages sources")
    if la_code != actor["la_code"]:
        raise NotYourLA("an LA's ContactPoint team manages its own LA's sources only")


def add_source(uow: UnitOfWork, request: dict, envelope=None, *, ask_provisioner: Asker) -> dict:
    """A source, with its own broker user made by the provisioner (which refuses a name that is already a broker user's)."""
    source_id = request["source_id"]
    _may_manage_sources(request["actor"], request["la_code"])
    if uow.session.get(Source, source_id) is not None:
        raise SourceExists(source_id)
    uow.session.add(Source(source_id=source_id, name=request["name"], la_code=request["la_code"], kinds=request["kinds"], enabled=True))
    password = ask_provisioner(requests.OPEN_SOURCE_ACCOUNT, {"source_id": source_id})["amqp_password"]
    uow.emit(audit_event(SERVICE, "source_added", actor=request["actor"], la_code=request["la_code"], subject=source_id,
                         detail={"kinds": request["kinds"]}))
    return {"source_id": source_id, "amqp_password": password}


def disable_source(uow: UnitOfWork, request: dict, envelope=None, *, ask_provisioner: Asker) -> dict:
    source = uow.session.get(Source, request["source_id"])
    if source is None:
        raise UnknownSource(request["source_id"])
    _may_manage_sources(request["actor"], source.la_code)
    source.enabled = False
    ask_provisioner(requests.CLOSE_SOURCE_ACCOUNT, {"source_id": source.source_id})
    uow.emit(audit_event(SERVICE, "source_disabled", actor=request["actor"], la_code=source.la_code, subject=source.source_id))
    return {"source_id": source.source_id, "enabled": False}


def list_sources(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    """Every source for an operator; an LA's team sees its own LA's."""
    actor = request["actor"]
    query = select(Source).order_by(Source.source_id)
    if actor["role"] != OPERATOR:
        _may_manage_sources(actor, actor["la_code"])
        query = query.where(Source.la_code == actor["la_code"])
    return [
        {"source_id": s.source_id, "name": s.name, "la_code": s.la_code, "kinds": s.kinds, "enabled": s.enabled}
        for s in uow.session.scalars(query)
    ]


def export_children(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """A page of the children ContactPoint holds, in ``contactpoint_id`` order after ``after``: each child's current details,
    the source records that hold it, and the children an open review says it may be. The first page also counts them all.

    A child joined into another stands for nobody, and a child whose every record was removed is held by no source: neither
    is exported, so each held record is on exactly one line. Each page is read as it stands when asked: a review decided
    while an export runs may move a record between a page already read and one not yet read.
    """
    after = request["after"]
    query = select(LinkedChild).where(*_exported()).order_by(LinkedChild.contactpoint_id).limit(request["limit"])
    page = uow.session.scalars(query if after is None else query.where(LinkedChild.contactpoint_id > after)).all()
    lines = [_export_line(merged, records) for merged, records in merging.snapshots_with_records(uow.session, page)]
    uow.emit(audit_event(SERVICE, "children_exported", actor=request["actor"], contactpoint_ids=[line["contactpoint_id"] for line in lines],
                         detail={"after": after, "children": len(lines), "source_records": sum(len(line["source_records"]) for line in lines)}))
    answer = {"children": lines, "next_after": lines[-1]["contactpoint_id"] if len(lines) == request["limit"] else None}
    if after is None:
        answer["total"] = uow.session.scalar(select(func.count()).select_from(LinkedChild).where(*_exported()))
    return answer


def _exported() -> tuple:
    """The children an export holds: those no person joined into another, that some source still holds."""
    held = select(SourceRecord.source_id).where(SourceRecord.contactpoint_id == LinkedChild.contactpoint_id, SourceRecord.held).exists()
    return LinkedChild.merged_into.is_(None), held


def _export_line(merged: dict, records: list[SourceRecord]) -> dict:
    return {
        "contactpoint_id": merged["contactpoint_id"],
        "demographics": merged["demographics"],
        "source_records": sorted([record.source_id, record.source_record_id] for record in records if record.held),
        "possible_duplicate_of": merged["possible_duplicate_of"],
    }


def republish_children(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Sends a page of children again, in ``contactpoint_id`` order after ``after``, each one version newer, so that the
    directory and disclosure services, which keep only a newer version than they hold, take each as the contract now shapes it.

    A child joined into another stands for nobody, and is not sent again. One joined between the page's read and its lock
    is sent as joined, which is what it now is.
    """
    after = request["after"]
    query = select(LinkedChild).where(LinkedChild.merged_into.is_(None)).order_by(LinkedChild.contactpoint_id).limit(request["limit"])
    page = uow.session.scalars(query if after is None else query.where(LinkedChild.contactpoint_id > after)).all()
    _publish_with(uow, page, [])
    ids = [child.contactpoint_id for child in page]
    uow.emit(audit_event(SERVICE, "children_republished", actor=request["actor"], contactpoint_ids=ids,
                         detail={"after": after, "children": len(ids)}))
    return {"republished": len(ids), "next_after": ids[-1] if len(ids) == request["limit"] else None}



# How long a process matches with the model it found in force before it asks again: a model put in force scores every
# worker's records within this time, and a batch of a few messages does not pay for a query of its own.
MODEL_ASKED_EVERY = 5.0
# Each model put in force, as read from its text, which a process reads only once.
_MODELS_READ: dict[str, linkage_model.LinkageModel] = {}
# When each database was last asked which model is in force, and the answer.
_IN_FORCE: WeakKeyDictionary = WeakKeyDictionary()


def model_in_force(session) -> linkage_model.LinkageModel:
    """The model put in force last, as asked at most ``MODEL_ASKED_EVERY`` seconds ago; the hand-set one while none has been."""
    database = session.get_bind()
    asked_at, model = _IN_FORCE.get(database, (None, None))
    if asked_at is not None and time.monotonic() - asked_at < MODEL_ASKED_EVERY:
        return model
    version = session.scalar(select(LinkageModelUsed.version).order_by(LinkageModelUsed.put_in_force_at.desc()).limit(1))
    if version is not None and version not in _MODELS_READ:
        _MODELS_READ[version] = linkage_model.loads(session.get(LinkageModelUsed, version).model)
    model = linkage_model.DEFAULT if version is None else _MODELS_READ[version]
    _IN_FORCE[database] = (time.monotonic(), model)
    return model


def use_linkage_model(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Puts a linkage model in force for every record matched from now on (an earlier version, given again, goes back in force)."""
    try:
        model = linkage_model.loads(request["model"])
    except (ValueError, KeyError, TypeError) as refused:
        raise InvalidRequest(f"not a linkage model file: {refused}") from refused
    return _shown(model, _put_in_force(uow, model, request["actor"]))


def refresh_term_frequencies(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Puts in force the model in force with how common each name and postcode is among the records held now, counted by
    the database; scheduled daily, so that a name grown common in the directory weighs less than when the model was trained."""
    model = model_in_force(uow.session)
    counted = {comparison: dict(uow.session.execute(select(column, func.count()).where(SourceRecord.held).group_by(column)).all())
               for comparison, column in TERM_FREQUENCY_COLUMNS.items()}
    held = sum(counted["family_name"].values())
    if not held:
        return {"refreshed": False, "version": model.version, "records": 0}
    base = model.version.split(REFRESHED, 1)[0]
    refreshed = replace(model, version=f"{base}{REFRESHED}{utcnow():%Y%m%dT%H%M%S}",
                        term_frequencies={comparison: linkage_model.shares(found) for comparison, found in counted.items()})
    _put_in_force(uow, refreshed, request["actor"], records=held)
    return {"refreshed": True, "version": refreshed.version, "records": held}


# The columns held records keep each value of a term-frequency comparison in, as `matching.term_values` reads them.
TERM_FREQUENCY_COLUMNS = {"family_name": SourceRecord.family_key, "given_name": SourceRecord.given_key, "postcode": SourceRecord.postcode}
# Between a model's version and the instant its term frequencies were last counted again.
REFRESHED = "+tf"


def _put_in_force(uow: UnitOfWork, model: linkage_model.LinkageModel, actor: dict, **detail) -> LinkageModelUsed:
    previous = model_in_force(uow.session)
    written = linkage_model.dumps(model)
    used = uow.session.get(LinkageModelUsed, model.version) or LinkageModelUsed(version=model.version, model=written)
    if used.model != written:
        raise InvalidRequest(f"a model of version {model.version!r} with other weights was put in force before: a version names one model")
    used.put_in_force_by, used.put_in_force_at = actor["username"], utcnow()
    uow.session.add(used)
    _IN_FORCE.pop(uow.session.get_bind(), None)
    uow.emit(audit_event(SERVICE, "linkage_model_changed", actor=actor, subject=model.version,
                         detail={"trained_by": model.trained_by, "trained_on": model.trained_on, "previous": previous.version, **detail}))
    return used


def show_linkage_model(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    model = model_in_force(uow.session)
    return _shown(model, uow.session.get(LinkageModelUsed, model.version))


def _shown(model: linkage_model.LinkageModel, used: LinkageModelUsed | None) -> dict:
    return {**model.describe(), "put_in_force_by": used.put_in_force_by if used else None,
            "put_in_force_at": used.put_in_force_at.isoformat() if used else None}


def routes(*, ask_provisioner: Asker) -> Routes:
    la_team = people(LA_TEAM) | OPERATOR_ONLY
    return Routes(
        requests={
            requests.ADD_SOURCE: Request(AddSourceSchema, partial(add_source, ask_provisioner=ask_provisioner), la_team),
            requests.DISABLE_SOURCE: Request(SourceIdSchema, partial(disable_source, ask_provisioner=ask_provisioner), la_team),
            requests.LIST_SOURCES: Request(ListSourcesSchema, list_sources, la_team),
            requests.LIST_REVIEWS: Request(ListReviewsSchema, list_reviews, la_team),
            requests.LINK_REVIEW: Request(ReviewDecisionSchema, link_review, la_team),
            requests.SEPARATE_REVIEW: Request(ReviewDecisionSchema, separate_review, la_team),
            requests.SPLIT_RECORD: Request(SplitRecordSchema, split_record, la_team),
            # Only the LA ContactPoint team (or an operator) shields a child, and only it lifts a shielding, whoever set it.
            requests.SHIELD_CHILD: Request(ShieldingSchema, shield_child, la_team),
            requests.UNSHIELD_CHILD: Request(ShieldingSchema, unshield_child, la_team),
            requests.EXPORT_CHILDREN: Request(ExportChildrenSchema, export_children, OPERATOR_ONLY),
            requests.REPUBLISH_CHILDREN: Request(RepublishChildrenSchema, republish_children, OPERATOR_ONLY),
            requests.USE_LINKAGE_MODEL: Request(UseLinkageModelSchema, use_linkage_model, OPERATOR_ONLY),
            requests.SHOW_LINKAGE_MODEL: Request(ShowLinkageModelSchema, show_linkage_model, OPERATOR_ONLY, reads_only=True),
            requests.LINKAGE_ACCURACY: Request(LinkageAccuracySchema, linkage_accuracy, OPERATOR_ONLY),
            requests.REFRESH_TERM_FREQUENCIES: Request(RefreshTermFrequenciesSchema, refresh_term_frequencies, SCHEDULED),
        },
        events=[Subscription(FEEDS_PARTNER_MESSAGES, receive_feed_message, schema=AcceptedFeedMessageSchema,
                             on_rejected=reject_to_source, batch=PARTNER_MESSAGE_BATCH, batch_handler=receive_feed_messages)],
    )
