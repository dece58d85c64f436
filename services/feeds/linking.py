"""What a person's decision on a match does to the links: join two children, or confirm one stands alone.

A record a person placed carries their name (``linked_by``); the system matches only records
it has never placed, so it never undoes what a person decided.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.feeds.matching import VERIFIED_IDENTIFIERS
from services.feeds.models import LinkedChild, ReviewTask, SourceRecord


def identifiers_conflict(session: Session, one: str, other: str) -> bool:
    """Whether the two children's records give different values of any verified identifier."""
    said: dict[str, dict[str, set[str]]] = {one: {}, other: {}}
    for record in session.scalars(select(SourceRecord).where(SourceRecord.contactpoint_id.in_((one, other)))):
        for name, value in (record.message["child"].get("identifiers") or {}).items():
            if name in VERIFIED_IDENTIFIERS and value:
                said[record.contactpoint_id].setdefault(name, set()).add(value)
    return any(said[other].get(name, values) != values for name, values in said[one].items())


def join(session: Session, moved: LinkedChild, kept: LinkedChild, *, decided_by: str) -> None:
    session.execute(update(SourceRecord).where(SourceRecord.contactpoint_id == moved.contactpoint_id)
                    .values(contactpoint_id=kept.contactpoint_id, linked_by=decided_by))
    moved.merged_into = kept.contactpoint_id
    # One of them at risk if found is the child both now are.
    kept.shielded = bool(kept.shielded or moved.shielded)


def confirm(session: Session, child: LinkedChild, *, decided_by: str) -> None:
    session.execute(update(SourceRecord).where(SourceRecord.contactpoint_id == child.contactpoint_id).values(linked_by=decided_by))


def retarget_tasks(session: Session, gone: str, into: str) -> None:
    """Open tasks about a child that was joined into another are now about that other; one about both is settled."""
    naming_the_gone = (ReviewTask.contactpoint_id == gone) | (ReviewTask.candidate_id == gone)
    for task in session.scalars(select(ReviewTask).where(ReviewTask.status == "open", naming_the_gone)):
        task.contactpoint_id = into if task.contactpoint_id == gone else task.contactpoint_id
        task.candidate_id = into if task.candidate_id == gone else task.candidate_id
        if task.contactpoint_id == task.candidate_id:
            task.status = "superseded"
