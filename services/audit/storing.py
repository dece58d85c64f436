"""Storing each event once, at the end of the chain, under one lock of its head for a batch; the misuse rules run on what
was stored; an event refused for its sender raises an alert at once."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from services.audit import chain, rules
from services.audit.alerts import shown
from services.audit.models import Alert, AuditRecord, AuditSubject, ChainHead, RuleSetting
from services.audit.queries import StoredHistory
from shared.contracts.audit import NATIONAL, alert_raised, alert_repeated
from shared.db import append_rows, one_of
from shared.gate import UnexpectedSender
from shared.messaging.envelope import Envelope, utcnow
from shared.unit_of_work import UnitOfWork

# Events stored in one transaction when they arrive together: one commit, one lock of the chain head.
STORE_BATCH = 500
# The alert raised when an event claims a service its sender is not: it is refused, never chained.
FORGED_EVENT = "forged_event"
# Where an event stored under an id of its own keeps the id it was sent under, which an earlier event holds (see ``rules``).
REUSED_ID = rules.REUSED_ID
_REUSED = uuid.UUID("5d0f3c9e-2b7a-4e61-8c1d-a4f09b6e7d21")


def store_events(uow: UnitOfWork, arrived: list[tuple[dict, Envelope]]) -> None:
    """Appends events to the chain in the order they arrived, under one lock of its head, each once by its event id."""
    held = _held(uow, [event["event_id"] for event, _ in arrived])
    if held:  # sent again, or under an id an earlier look's event holds: stored under its own id, which may be held too
        held |= _held(uow, [_own_id(envelope.body) for _, envelope in arrived if envelope.body["event_id"] in held])
    head = uow.session.get(ChainHead, 1, with_for_update=True)
    if head is None:
        head = ChainHead(id=1, seq=0, hash=chain.GENESIS)
        uow.session.add(head)
    records, subjects = [], []
    for event, envelope in arrived:
        raw = envelope.body
        if raw["event_id"] in held:
            if _the_same_event_again(raw, held[raw["event_id"]]):
                continue
            raw = {**raw, "event_id": _own_id(raw), REUSED_ID: raw["event_id"]}
            if raw["event_id"] in held:  # this look's event, sent again
                continue
        held[raw["event_id"]] = raw
        # The event is stored and chained as it was received; the columns beside it come from its load.
        seq = head.seq + 1
        columns = chain.indexed({**event, "event_id": raw["event_id"]})
        record = {"seq": seq, **columns, "event": raw, "prev_hash": head.hash, "hash": chain.link(head.hash, seq, raw),
                  "sent_by": envelope.user_id}
        records.append(record)
        subjects.extend({"contactpoint_id": cp_id, "seq": seq} for cp_id in set(event["contactpoint_ids"]))
        head.seq, head.hash = seq, record["hash"]
    if not records:
        return
    append_rows(uow.session, AuditRecord.__table__, records)
    append_rows(uow.session, AuditSubject.__table__, subjects)
    watch(uow, records)


def _held(uow: UnitOfWork, ids: list[str]) -> dict[str, dict]:
    """The events already stored under any of these ids, by id."""
    return dict(uow.session.execute(select(AuditRecord.event_id, AuditRecord.event).where(one_of(AuditRecord.event_id, ids))).all())


def _the_same_event_again(event: dict, held: dict) -> bool:
    """A publish sent again (the very body held), or the event of a request the broker delivered again, for which the first
    delivery's event stands. Anything else under a held id is a look whose request reused an earlier request's id: its sender
    could otherwise have a look go unaudited behind an earlier one, so it is stored under an id of its own, and alerted on."""
    return event == held or bool((event.get("request") or {}).get("delivered_before"))


def _own_id(event: dict) -> str:
    """An id for an event sent under one already held: its producer's number for it is its own."""
    return uuid.uuid5(_REUSED, f"{event.get('event_id')}/{event.get('producer')}/{event.get('producer_seq')}").hex


def claimed_service(envelope: Envelope) -> tuple[str, ...]:
    """An event is taken only from the service it says it is of, as the broker says who sent it."""
    return (envelope.body.get("service"),)

def alert_on_forgery(envelope: Envelope, reason: dict) -> list[Envelope]:
    """A security team hears at once of an event refused for its sender (its reason is dead-lettered beside it)."""
    if reason.get("code") != UnexpectedSender.code:
        return []
    body = envelope.body if isinstance(envelope.body, dict) else {}
    return [alert_raised({
        "alert_id": 0, "rule": FORGED_EVENT, "la_code": str(body.get("la_code") or NATIONAL), "raised_at": utcnow(),
        "actor": (body.get("actor") or {}).get("username") if isinstance(body.get("actor"), dict) else None,
        "contactpoint_id": None, "event_id": envelope.message_id, "seq": 0,
        "detail": {"claimed_service": body.get("service"), "sent_by": envelope.user_id, "reason": reason.get("message")},
    })]

def watch(uow: UnitOfWork, records: list[dict]) -> None:
    """Runs the misuse rules on stored events; each hit is kept for auditors and published on ``cp.alerts``."""
    events = [(record["event"], record["occurred_at"]) for record in records]
    history = StoredHistory(uow.session)
    history.add_tallies(rules.tallies(events))
    rows = uow.session.execute(select(RuleSetting.la_code, RuleSetting.rule, RuleSetting.category, RuleSetting.values))
    settings = rules.RuleSettings.of_rows(rows)
    hits = rules.evaluate_all(events, history, settings=settings)
    by_name = {rule.name: rule for rule in rules.RULES}
    raised, repeated = {}, {}
    # The open alert each (rule, person, LA, child) of this batch repeats, once looked up or raised: a person searching on
    # after hours makes a hit of every event, and one query (and one update) per hit cost two thirds of storing a batch.
    in_batch: dict[tuple, Alert | None] = {}
    for index, hit in hits:
        record = records[index]
        rule = by_name[hit.rule]
        la_code = hit.la_code or record["la_code"]
        group = (hit.rule, hit.key, la_code, hit.contactpoint_id if rule.groups_by_child else None)
        alert = in_batch.get(group)
        if alert is None or not _repeated_by(alert, record["occurred_at"]):
            alert = in_batch[group] = _open_alert_to_repeat(uow, rule, hit, la_code, record["occurred_at"])
        if alert is not None:
            alert.count += 1
            alert.last_seen_at = record["occurred_at"]
            alert.detail = {**alert.detail, "last_event_id": record["event_id"], "last_seq": record["seq"]}
            if alert.id not in raised:
                repeated[alert.id] = alert
            continue
        alert = Alert(
            rule=hit.rule, key=hit.key, la_code=la_code, actor_username=record["actor_username"], contactpoint_id=hit.contactpoint_id,
            event_id=record["event_id"], seq=record["seq"], raised_at=utcnow(), detail=hit.detail, status="open", count=1,
            last_seen_at=record["occurred_at"],
        )
        uow.session.add(alert)
        uow.session.flush()
        raised[alert.id] = alert
        if rule.threshold is None:
            in_batch[group] = alert
    # Told once a batch, with the count the batch ended on: a new alert, or one the security team already heard of that rose.
    for alert in raised.values():
        uow.emit(alert_raised(shown(alert)))
    for alert in repeated.values():
        uow.emit(alert_repeated(shown(alert)))

def _repeated_by(alert: Alert, occurred_at) -> bool:
    """Whether an event at ``occurred_at`` repeats this open alert (as ``_open_alert_to_repeat`` would find it)."""
    return alert.status == "open" and alert.last_seen_at >= occurred_at - timedelta(seconds=rules.GROUP_SECONDS)


def _open_alert_to_repeat(uow: UnitOfWork, rule: rules.Rule, hit: rules.Hit, la_code: str, occurred_at) -> Alert | None:
    """The open alert of the same rule about the same person (and child, for a rule where each child matters) seen within
    ``GROUP_SECONDS``, which this hit repeats; none for a counting rule, which already fires once a window."""
    if rule.threshold is not None:
        return None
    query = select(Alert).where(Alert.rule == hit.rule, Alert.key == hit.key, Alert.la_code == la_code, Alert.status == "open",
                                Alert.last_seen_at >= occurred_at - timedelta(seconds=rules.GROUP_SECONDS))
    if rule.groups_by_child:
        query = query.where(Alert.contactpoint_id == hit.contactpoint_id)
    return uow.session.scalars(query.order_by(Alert.id.desc()).limit(1).with_for_update()).first()
