"""Bulk disclosure: the whole de-identified population, as keyed pseudonyms or as suppressed counts.

An export is written beside its destination and moved into place only once its audit event
(who, when, which form, how many rows) is in the broker's hands: no file leaves unrecorded.
The pseudonymised file is k-anonymous (``anonymity``): the children are read twice in one
snapshot, first to count who looks alike, then to write each at the level the counts allow.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from services.disclosure import anonymity, suppression
from services.disclosure.handlers import SERVICE
from services.disclosure.models import DeIdentifiedChild
from services.disclosure.pseudonyms import Pseudonymiser
from shared.contracts.audit import audit_event
from shared.errors import InvalidRequest
from shared.messaging.envelope import utcnow
from shared.service import Service

FORMS = ("pseudonymised", "anonymised")
BATCH = 5000

Progress = Callable[[Iterable, int], Iterable]


def no_progress(rows: Iterable, total: int) -> Iterable:
    return rows


def export(service: Service, form: str, path: Path, *, actor: dict, recipient: str | None = None, k: int = anonymity.DEFAULT_K,
           progress: Progress = no_progress) -> dict:
    """Writes the ``form`` of bulk disclosure to ``path`` as JSON Lines; returns what the audit event records."""
    if k < anonymity.DEFAULT_K:
        raise InvalidRequest(f"k may be raised, never lowered below {anonymity.DEFAULT_K}", code="k_too_small")
    pseudonym = Pseudonymiser(service.settings.pseudonym_key).for_recipient(recipient) if form == "pseudonymised" else None
    partial_path = path.with_name(path.name + ".partial")
    try:
        with service.unit_of_work() as uow, partial_path.open("w") as out:
            _one_snapshot(uow.session)
            if pseudonym:
                levels = anonymity.release_levels(_counted_alike(uow.session), k)
                released = Counter()
                rows = _write(out, _k_anonymous(_active_children(uow.session, progress), levels, pseudonym, released))
                counted = sum(released.values())
                done = {"form": form, "recipient": recipient, "rows": rows, "children": counted, "file": path.name, "k": k,
                        "generalised": released[anonymity.YEAR_OF_BIRTH] + released[anonymity.LA_ONLY],
                        "generalised_to_year": released[anonymity.YEAR_OF_BIRTH], "generalised_to_la": released[anonymity.LA_ONLY],
                        "suppressed": released[None]}
            else:
                counted, table = _tabulated(_active_children(uow.session, progress), utcnow().date())
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


def _one_snapshot(session) -> None:
    """Both reads of a pseudonymised export see the same children: a child changed between them cannot break the counts."""
    if session.bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _key(child: DeIdentifiedChild) -> anonymity.Key:
    return anonymity.key_of(child.birth_year, child.birth_month, child.gender, child.postcode_district, child.la_code, child.service_kinds)


def _counted_alike(session) -> Counter:
    """How many active children hold each combination of quasi-identifiers, as held."""
    columns = (DeIdentifiedChild.birth_year, DeIdentifiedChild.birth_month, DeIdentifiedChild.gender, DeIdentifiedChild.postcode_district,
               DeIdentifiedChild.la_code, DeIdentifiedChild.service_kinds)
    counts: Counter = Counter()
    for row in session.execute(select(*columns).where(DeIdentifiedChild.active.is_(True)).execution_options(yield_per=BATCH)):
        counts[anonymity.key_of(*row)] += 1
    return counts


def _k_anonymous(children: Iterable[DeIdentifiedChild], levels: dict, pseudonym: Callable[[str], str], released: Counter) -> Iterator[dict]:
    """Each child at the level its combination is released at; none for one suppressed. ``released`` counts each level's."""
    for child in children:
        level = levels.get(_key(child))
        released[level] += 1
        if level is not None:
            yield _pseudonymised(child, pseudonym, anonymity.generalised(_key(child), level))


def _pseudonymised(child: DeIdentifiedChild, pseudonym: Callable[[str], str], shown: anonymity.Key) -> dict:
    born = f"{shown.birth_year:04d}" if shown.birth_month is None else f"{shown.birth_year:04d}-{shown.birth_month:02d}"
    return {
        "pseudonym": pseudonym(child.pseudonym_base),
        "year_month_of_birth": born,
        "gender": shown.gender,
        "postcode_district": shown.postcode_district,
        "la_code": shown.la_code,
        "service_kinds": list(shown.service_kinds),
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
