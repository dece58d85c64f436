"""Which child a source record is about.

A verified identifier (the NHS number) links at once. Otherwise a record links to a child
held under the same family name and date of birth only when a given name agrees too, so
twins (same family, birthday and address, different given names) stay apart. What does not
match is a new child.
"""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.feeds.models import SourceRecord
from shared.names import name_key


def new_contactpoint_id() -> str:
    digits = uuid.uuid4().hex[:20].upper()
    return "CP-" + "-".join(digits[i:i + 5] for i in range(0, 20, 5))


def find_child(session: Session, child: dict) -> str | None:
    nhs_number = child["identifiers"].get("nhs_number")
    if nhs_number:
        linked = session.scalar(select(SourceRecord.contactpoint_id).where(SourceRecord.nhs_number == nhs_number).limit(1))
        if linked:
            return linked
    given = {name_key(name) for name in child["given_names"]}
    candidates = session.scalars(select(SourceRecord).where(
        SourceRecord.family_key == name_key(child["family_name"]),
        SourceRecord.date_of_birth == child["date_of_birth"],
    ))
    for candidate in candidates:
        held_nhs = candidate.message["child"].get("identifiers", {}).get("nhs_number")
        if nhs_number and held_nhs and held_nhs != nhs_number:
            continue
        if given & {name_key(name) for name in candidate.message["child"]["given_names"]}:
            return candidate.contactpoint_id
    return None
