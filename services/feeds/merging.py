"""One child's record, built from every source record linked to it.

Survivorship, for now: the most recently received record that still holds the child gives
the demographics and carers; every holding record gives its involvement, with its source.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.feeds.models import LinkedChild, Source, SourceRecord
from shared.contracts.audit import NATIONAL


def snapshot(session: Session, child: LinkedChild) -> dict:
    records = session.scalars(
        select(SourceRecord).where(SourceRecord.contactpoint_id == child.contactpoint_id)
        .order_by(SourceRecord.received_at.desc(), SourceRecord.source_id)
    ).all()
    holding = [record for record in records if record.held]
    newest = (holding or records)[0].message
    sources = {s.source_id: s for s in session.scalars(select(Source).where(Source.source_id.in_({r.source_id for r in records})))}
    return {
        "contactpoint_id": child.contactpoint_id,
        "version": child.version,
        "la_code": next((sources[r.source_id].la_code for r in holding if sources[r.source_id].la_code), NATIONAL),
        "active": bool(holding),
        "shielded": False,
        "retain_to_25": any(r.message.get("consent", {}).get("retain_to_25") for r in holding),
        "demographics": newest["child"],
        "carers": next((r.message["carers"] for r in holding if r.message.get("carers")), []),
        "involvements": [
            {**r.message["involvement"], "source_id": r.source_id} for r in holding if r.message.get("involvement")
        ],
        "source_records": [[r.source_id, r.source_record_id] for r in records],
    }
