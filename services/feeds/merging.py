"""One child's record, built from every source record linked to it, each field with its provenance.

Survivorship, per field: of the records that still hold the child and give the field, the
most trusted source's speaks, and among equally trusted sources the most recent. Health
knows a birth date and an NHS number best, a school its pupil number; every holding record
gives its own involvement, marked with its source and that source's local authority (none for a
national source), so the directory can tell whether a reader's own authority works with the
child. Former family names are the union of what the records declare.
A child is shielded as its row says (``LinkedChild.shielded``): a source's word, or the LA
ContactPoint team's, sets it, and it stays until that team lifts it.
A child a person joined into another keeps that child's details, inactive, so the directory
can say where it went. A snapshot is always rebuilt from the
records, so a split or a removal needs nothing more than the rebuild.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from services.feeds.models import LinkedChild, ReviewTask, Source, SourceRecord
from shared.contracts.audit import NATIONAL
from shared.db import one_of
from shared.names import name_key

# How much a kind of source is trusted on a child's details; a source is trusted as its most trusted kind.
KIND_TRUST = {"health": 5, "borders": 4, "school": 3, "social_care": 3, "youth_offending": 2}
# Fields on which one kind knows best, whatever the ranking above says.
FIELD_TRUST = {"identifiers.upn": {"school": 6}}
SCALAR_FIELDS = ("family_name", "given_names", "date_of_birth", "gender", "address")
IDENTIFIERS = ("nhs_number", "upn")


def snapshot(session: Session, child: LinkedChild) -> dict:
    return snapshots(session, [child])[0]


def snapshots(session: Session, children: list[LinkedChild]) -> list[dict]:
    return [merged for merged, _ in snapshots_with_records(session, children)]


def snapshots_with_records(session: Session, children: list[LinkedChild]) -> list[tuple[dict, list[SourceRecord]]]:
    """Each child's snapshot beside the records it was built from; their records, sources and open review tasks read in one query each."""
    ids = [child.contactpoint_id for child in children]
    records: dict[str, list[SourceRecord]] = {cp_id: [] for cp_id in ids}
    for record in _records_linked_to(session, ids):
        records[record.contactpoint_id].append(record)
    sources = _sources_of(session, [record for linked in records.values() for record in linked])
    duplicates = _possible_duplicates(session, ids)
    return [
        (_snapshot(session, child, records[child.contactpoint_id], sources, duplicates.get(child.contactpoint_id, [])),
         records[child.contactpoint_id])
        for child in children
    ]


def _snapshot(session: Session, child: LinkedChild, records: list[SourceRecord], sources: dict[str, Source], duplicates: list[str]) -> dict:
    holding = [record for record in records if record.held]
    speaking = holding or records[:1] or _records_of(session, child.merged_into)[:1]
    demographics, provenance = _survivors(speaking, sources)
    return {
        "contactpoint_id": child.contactpoint_id,
        "version": child.version,
        "la_code": next((sources[r.source_id].la_code for r in holding if sources[r.source_id].la_code), NATIONAL),
        "active": bool(holding) and child.merged_into is None,
        "shielded": bool(child.shielded),
        "retain_to_25": any(r.message.get("consent", {}).get("retain_to_25") for r in holding),
        "demographics": demographics,
        "carers": next((r.message["carers"] for r in _by_trust(holding, sources, "carers") if r.message.get("carers")), []),
        "involvements": [
            {**r.message["involvement"], "source_id": r.source_id, "la_code": sources[r.source_id].la_code}
            for r in holding if r.message.get("involvement")
        ],
        "source_records": [[r.source_id, r.source_record_id] for r in records],
        "provenance": provenance,
        "possible_duplicate_of": duplicates,
        "merged_into": child.merged_into,
    }


def _sources_of(session: Session, records: list[SourceRecord]) -> dict[str, Source]:
    """The sources of these records, not every source: a national service has thousands (each school is one), a batch's records few.

    A joined child that no record holds speaks from one record of the child it joined, and one record is ranked against no other.
    """
    return {source.source_id: source for source in session.scalars(select(Source).where(one_of(Source.source_id, {r.source_id for r in records})))}


def _records_linked_to(session: Session, contactpoint_ids: list[str]) -> list[SourceRecord]:
    """The records linked to these children, most recently received first.

    Only their keys are read, then whichever records the session does not hold yet: a batch's own
    records, just written, are not read back with their messages (the session would keep its own anyway).
    """
    keys = [tuple(key) for key in session.execute(
        select(SourceRecord.source_id, SourceRecord.source_record_id).where(one_of(SourceRecord.contactpoint_id, contactpoint_ids))
        .order_by(SourceRecord.received_at.desc(), SourceRecord.source_id))]
    held = {key: session.identity_map.get(identity_key(SourceRecord, key)) for key in keys}
    missing = [key for key, record in held.items() if record is None]
    if missing:
        held.update(((r.source_id, r.source_record_id), r) for r in session.scalars(
            select(SourceRecord).where(one_of((SourceRecord.source_id, SourceRecord.source_record_id), missing))))
    return [held[key] for key in keys]


def _records_of(session: Session, contactpoint_id: str | None) -> list[SourceRecord]:
    return session.scalars(
        select(SourceRecord).where(SourceRecord.contactpoint_id == contactpoint_id)
        .order_by(SourceRecord.received_at.desc(), SourceRecord.source_id)
    ).all()


def _survivors(records: list[SourceRecord], sources: dict[str, Source]) -> tuple[dict, dict]:
    demographics: dict = {"identifiers": {}}
    provenance: dict = {}
    # Written out once a record: one record most often says every field.
    said_by = {record: _said_by(record) for record in records}
    for field in SCALAR_FIELDS:
        speaker = next(iter(_by_trust(_knowing(records, field), sources, field)))
        demographics[field] = speaker.message["child"][field]
        provenance[field] = said_by[speaker]
    for name in IDENTIFIERS:
        speaker = next((r for r in _by_trust(records, sources, f"identifiers.{name}") if _identifiers(r).get(name)), None)
        if speaker is not None:
            demographics["identifiers"][name] = _identifiers(speaker)[name]
            provenance[f"identifiers.{name}"] = said_by[speaker]
    demographics["former_family_names"] = _former_family_names(records, demographics["family_name"])
    provenance["former_family_names"] = [said_by[r] for r in records if r.message["child"].get("former_family_names")]
    return demographics, provenance


def _knowing(records: list[SourceRecord], field: str) -> list[SourceRecord]:
    """The records that say ``field``: an address without a postcode gives way to one with it, whatever their trust."""
    if field != "address":
        return records
    return [record for record in records if record.message["child"]["address"].get("postcode")] or records


def _by_trust(records: list[SourceRecord], sources: dict[str, Source], field: str) -> list[SourceRecord]:
    """Most trusted source first; among equals, the most recently received."""
    if len(records) < 2:  # most children, most of the time: nothing to rank
        return list(records)

    def rank(record: SourceRecord) -> tuple[int, datetime]:
        return _trust(sources[record.source_id], field), record.received_at

    return sorted(records, key=rank, reverse=True)


def _trust(source: Source, field: str) -> int:
    overrides = FIELD_TRUST.get(field, {})
    return max((overrides.get(kind, KIND_TRUST.get(kind, 1)) for kind in source.kinds), default=1)


def _said_by(record: SourceRecord) -> dict:
    return {"source_id": record.source_id, "source_record_id": record.source_record_id, "received_at": record.received_at.isoformat()}


def _identifiers(record: SourceRecord) -> dict:
    return record.message["child"].get("identifiers") or {}


def _former_family_names(records: list[SourceRecord], family_name: str) -> list[str]:
    known = [name for r in records for name in r.message["child"].get("former_family_names", [])]
    chosen, seen = [], {name_key(family_name)}
    for name in known:
        if name_key(name) not in seen:
            seen.add(name_key(name))
            chosen.append(name)
    return chosen


def _possible_duplicates(session: Session, contactpoint_ids: list[str]) -> dict[str, list[str]]:
    tasks = session.execute(select(ReviewTask.contactpoint_id, ReviewTask.candidate_id).where(
        ReviewTask.status == "open",
        one_of(ReviewTask.contactpoint_id, contactpoint_ids) | one_of(ReviewTask.candidate_id, contactpoint_ids),
    )).all()
    others: dict[str, set[str]] = {}
    for one, other in tasks:
        others.setdefault(one, set()).add(other)
        others.setdefault(other, set()).add(one)
    return {cp_id: sorted(found) for cp_id, found in others.items()}
