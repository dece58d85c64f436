"""The children ContactPoint holds, page by page: exported to an operator, or sent again to the directory and disclosure."""
from __future__ import annotations

from sqlalchemy import func, select

from services.feeds import SERVICE, merging
from services.feeds.children import publish_all
from services.feeds.models import LinkedChild, SourceRecord
from shared.contracts.audit import audit_event
from shared.unit_of_work import UnitOfWork


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
    publish_all(uow, page, [])
    ids = [child.contactpoint_id for child in page]
    uow.emit(audit_event(SERVICE, "children_republished", actor=request["actor"], contactpoint_ids=ids,
                         detail={"after": after, "children": len(ids)}))
    return {"republished": len(ids), "next_after": ids[-1] if len(ids) == request["limit"] else None}
