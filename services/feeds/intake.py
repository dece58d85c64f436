"""Taking in what sources send: each message only from its own source, the newest sequence winning, its record linked to a child,
the directory told of each child changed and the source of what became of its message."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from services.feeds import linkage_model, matching
from services.feeds.children import publish_all
from services.feeds.errors import SourceNotAllowed
from services.feeds.in_force import model_in_force
from services.feeds.models import LinkedChild, ReviewTask, Source, SourceRecord
from services.feeds.shielding import shielding_audited
from shared.contracts.feeds import NO_INVOLVEMENT, feedback, kind_of, rejection, source_of
from shared.db import append_rows, one_of
from shared.messaging.envelope import Envelope, utcnow
from shared.unit_of_work import UnitOfWork


# Partner messages that arrive together are matched and committed together: one transaction, not one each.
PARTNER_MESSAGE_BATCH = 100


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
    publish_all(uow, list(touched.values()), told, born=set(intake.born))


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
        uow.emit(shielding_audited(linked, True, actor=None, la_code=source.la_code, by="source", reason="the source's record says so",
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
