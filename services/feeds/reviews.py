"""A person's word on the matching: the review tasks it set them, each linked or kept separate, and a wrong link split."""
from __future__ import annotations

from sqlalchemy import func, select, tuple_

from services.feeds import SERVICE, linking, matching, merging
from services.feeds.children import LA_TEAM, las_holding, publish
from services.feeds.errors import NotYourLA, ReviewRefused, UnknownRecord, UnknownTask
from services.feeds.in_force import model_in_force
from services.feeds.models import LabelledPair, LinkedChild, ReviewTask, SourceRecord
from shared.contracts.audit import audit_event
from shared.messaging.envelope import utcnow
from shared.unit_of_work import UnitOfWork


def list_reviews(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    """Open review tasks, each with both children side by side as they stand now; an LA's team sees its own LA's."""
    tasks = uow.session.scalars(select(ReviewTask).where(ReviewTask.status == "open").order_by(ReviewTask.task_id)).all()
    if request["actor"]["role"] == LA_TEAM:
        tasks = [task for task in tasks if request["actor"]["la_code"] in _las_deciding(uow, task)]
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
    publish(uow, moved, kept)
    return {"task_id": task.task_id, "status": task.status, "contactpoint_id": kept.contactpoint_id}


def separate_review(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """A person says the two are different children: both stay as they are, and the system never joins them."""
    task = _open_task(uow, request)
    held, candidate = _children(uow, task.contactpoint_id, task.candidate_id)
    _keep_labelled(uow, task, held, candidate, same_child=False, request=request)
    linking.confirm(uow.session, held, decided_by=request["actor"]["username"])
    _decide(uow, task, "separated", request)
    publish(uow, held, candidate)
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
    publish(uow, left, alone)
    return {"from": left.contactpoint_id, "contactpoint_id": alone.contactpoint_id}


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
    if request["actor"]["role"] == LA_TEAM and request["actor"]["la_code"] not in _las_deciding(uow, task):
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


def _decide(uow: UnitOfWork, task: ReviewTask, status: str, request: dict) -> None:
    task.status, task.decided_by, task.decided_at = status, request["actor"]["username"], utcnow()
    uow.emit(audit_event(SERVICE, f"review_{status}", actor=request["actor"], subject=task.contactpoint_id,
                         detail={"task_id": task.task_id, "candidate_id": task.candidate_id}))


def _las_deciding(uow: UnitOfWork, task: ReviewTask) -> set[str]:
    """The LAs whose ContactPoint team may decide a task: those whose sources hold either child."""
    return las_holding(uow.session, task.contactpoint_id, task.candidate_id)
