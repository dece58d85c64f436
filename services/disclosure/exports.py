"""Bulk disclosure: the whole de-identified population, as keyed pseudonyms or as suppressed counts.

An export is written beside its destination and moved into place only once its audit event
(who, when, which form, how many rows) is in the broker's hands: no file leaves unrecorded.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from services.disclosure import suppression
from services.disclosure.handlers import SERVICE
from services.disclosure.models import DeIdentifiedChild
from services.disclosure.pseudonyms import Pseudonymiser
from shared.contracts.audit import audit_event
from shared.messaging.envelope import utcnow
from shared.service import Service

FORMS = ("pseudonymised", "anonymised")
BATCH = 5000

Progress = Callable[[Iterable, int], Iterable]


def no_progress(rows: Iterable, total: int) -> Iterable:
    return rows


def export(service: Service, form: str, path: Path, *, actor: dict, recipient: str | None = None,
           progress: Progress = no_progress) -> dict:
    """Writes the ``form`` of bulk disclosure to ``path`` as JSON Lines; returns what the audit event records."""
    pseudonym = Pseudonymiser(service.settings.pseudonym_key).for_recipient(recipient) if form == "pseudonymised" else None
    partial_path = path.with_name(path.name + ".partial")
    try:
        with service.unit_of_work() as uow, partial_path.open("w") as out:
            children = _active_children(uow.session, progress)
            if pseudonym:
                rows = _write(out, (_pseudonymised(child, pseudonym) for child in children))
                counted = rows
            else:
                counted, table = _tabulated(children, utcnow().date())
                rows = _write(out, suppression.published(table))
            done = {"form": form, "recipient": recipient, "rows": rows, "children": counted, "file": path.name}
            uow.publish_now(audit_event(SERVICE, "bulk_export", actor=actor, detail=done))
        os.replace(partial_path, path)
    finally:
        partial_path.unlink(missing_ok=True)
    return done


def _active_children(session, progress: Progress) -> Iterator[DeIdentifiedChild]:
    active = DeIdentifiedChild.active.is_(True)
    total = session.scalar(select(func.count()).select_from(DeIdentifiedChild).where(active))
    query = select(DeIdentifiedChild).where(active).order_by(DeIdentifiedChild.pseudonym_base).execution_options(yield_per=BATCH)
    return iter(progress(session.scalars(query), total))


def _pseudonymised(child: DeIdentifiedChild, pseudonym: Callable[[str], str]) -> dict:
    return {
        "pseudonym": pseudonym(child.pseudonym_base),
        "year_month_of_birth": f"{child.birth_year:04d}-{child.birth_month:02d}",
        "gender": child.gender,
        "postcode_district": child.postcode_district,
        "la_code": child.la_code,
        "service_kinds": child.service_kinds,
    }


def _tabulated(children: Iterable[DeIdentifiedChild], today: date) -> tuple[int, dict]:
    counted = 0

    def described():
        nonlocal counted
        for child in children:
            counted += 1
            yield child.la_code, suppression.age_band(child.birth_year, child.birth_month, today), child.service_kinds

    table = suppression.tabulate(described())
    return counted, table


def _write(out, rows: Iterable[dict]) -> int:
    written = 0
    for row in rows:
        out.write(json.dumps(row, separators=(",", ":")) + "\n")
        written += 1
    return written
