"""The audit service's handlers: store each event once, at the end of the chain; show the trail to auditors."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select

from services.audit import chain, checkpoints, rules, verification
from services.audit.errors import UnknownAlert
from services.audit.models import Alert, AuditRecord, AuditSubject, ChainHead, RuleSetting, SignedCheckpoint
from services.audit.queries import StoredHistory
from services.audit.schemas import (
    ActorOnlySchema, ExportTrailSchema, InvestigateAlertSchema, ListAlertsSchema, ListEventsSchema, RuleSettingSchema, VerifyAuditSchema,
)
from shared.contracts import requests
from shared.db import append_rows, one_of
from shared.contracts.audit import (
    NATIONAL, NEWEST_FIRST, OLDEST_FIRST, AuditEventSchema, SubscribeTeamSchema, alert_raised, alert_repeated, audit_event,
)
from shared.messaging.consumer import Subscription
from shared.messaging.envelope import Envelope, utcnow
from shared.messaging.rpc import Asker
from shared.messaging.topology import AUDIT_EVENTS
from shared.gate import UnexpectedSender
from shared.principals import AUDITOR, OPERATOR_ONLY, SCHEDULED, people
from shared.service import Request, Routes
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork

SERVICE = "audit"
# The alert raised when an event claims a service its sender is not: it is refused, never chained.
FORGED_EVENT = "forged_event"
VERIFY_BATCH = 2000
EXPORT_LIMIT = 50_000
# Events stored in one transaction when they arrive together: one commit, one lock of the chain head.
STORE_BATCH = 500


def store_events(uow: UnitOfWork, arrived: list[tuple[dict, Envelope]]) -> None:
    """Appends events to the chain in the order they arrived, under one lock of its head, each once by its event id."""
    ids = [event["event_id"] for event, _ in arrived]
    known = set(uow.session.scalars(select(AuditRecord.event_id).where(one_of(AuditRecord.event_id, ids))))
    head = uow.session.get(ChainHead, 1, with_for_update=True)
    if head is None:
        head = ChainHead(id=1, seq=0, hash=chain.GENESIS)
        uow.session.add(head)
    records, subjects = [], []
    for event, envelope in arrived:
        if event["event_id"] in known:
            continue
        known.add(event["event_id"])
        raw, seq = envelope.body, head.seq + 1
        record = {"seq": seq, **chain.indexed(raw), "event": raw, "prev_hash": head.hash, "hash": chain.link(head.hash, seq, raw),
                  "sent_by": envelope.user_id}
        records.append(record)
        subjects.extend({"contactpoint_id": cp_id, "seq": seq} for cp_id in set(event["contactpoint_ids"]))
        head.seq, head.hash = seq, record["hash"]
    if not records:
        return
    append_rows(uow.session, AuditRecord.__table__, records)
    append_rows(uow.session, AuditSubject.__table__, subjects)
    watch(uow, records)


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
    for index, hit in hits:
        record = records[index]
        la_code = hit.la_code or record["la_code"]
        alert = _open_alert_to_repeat(uow, by_name[hit.rule], hit, la_code, record["occurred_at"])
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
    # Told once a batch, with the count the batch ended on: a new alert, or one the security team already heard of that rose.
    for alert in raised.values():
        uow.emit(alert_raised(_alert(alert)))
    for alert in repeated.values():
        uow.emit(alert_repeated(_alert(alert)))


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


def set_rule_setting(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Sets what an LA (or every LA) takes as ordinary for one rule; the rules read it with the next events stored."""
    key = (request["la_code"], request["rule"], request["category"])
    if request["rule"] == rules.OUT_OF_HOURS:
        values = {"opens": request["opens"], "closes": request["closes"], "weekdays": request["weekdays"] or list(rules.EVERY_HOUR.weekdays)}
    else:
        default = next(rule for rule in rules.RULES if rule.name == request["rule"]).threshold
        values = {"window_seconds": request["window_seconds"] or default.window_seconds, "at_least": request["at_least"]}
    setting = uow.session.get(RuleSetting, key, with_for_update=True) or RuleSetting(la_code=key[0], rule=key[1], category=key[2])
    setting.values = values
    uow.session.add(setting)
    said = {"la_code": key[0], "rule": key[1], "category": key[2], "values": values}
    uow.emit(audit_event(SERVICE, "rule_setting_set", actor=request["actor"], la_code=NATIONAL if key[0] == rules.ANY else key[0],
                         subject=request["rule"], detail=said))
    return said


def list_alerts(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Alerts oldest first from after ``after_id``, or newest first from before ``before_id``; the answer says where the next page starts."""
    filters = request["filters"]
    newest = filters["order"] == NEWEST_FIRST
    query = select(Alert).order_by(Alert.id.desc() if newest else Alert.id).limit(filters["limit"])
    for name in ("rule", "status", "la_code"):
        if filters[name]:
            query = query.where(getattr(Alert, name) == filters[name])
    if filters["after_id"]:
        query = query.where(Alert.id > filters["after_id"])
    if filters["before_id"]:
        query = query.where(Alert.id < filters["before_id"])
    alerts = uow.session.scalars(query).all()
    more = alerts[-1].id if len(alerts) == filters["limit"] else None
    return {"alerts": [_alert(alert) for alert in alerts], "next_after_id": None if newest else more, "next_before_id": more if newest else None}


def investigate_alert(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor = request["actor"]
    alert = uow.session.get(Alert, request["alert_id"], with_for_update=True)
    if alert is None:
        raise UnknownAlert(request["alert_id"])
    alert.status, alert.investigated_by, alert.investigated_at, alert.note = "investigated", actor["username"], utcnow(), request["note"]
    uow.emit(audit_event(SERVICE, "alert_investigated", actor=actor, la_code=alert.la_code, subject=str(alert.id),
                         contactpoint_ids=[alert.contactpoint_id] if alert.contactpoint_id else [],
                         detail={"rule": alert.rule, "note": alert.note}))
    return _alert(alert)


def _alert(alert: Alert) -> dict:
    return {
        "alert_id": alert.id, "rule": alert.rule, "la_code": alert.la_code, "raised_at": alert.raised_at, "actor": alert.actor_username,
        "contactpoint_id": alert.contactpoint_id, "event_id": alert.event_id, "seq": alert.seq, "detail": alert.detail,
        "status": alert.status, "investigated_by": alert.investigated_by, "investigated_at": alert.investigated_at, "note": alert.note,
        "count": alert.count or 1, "last_seen_at": alert.last_seen_at,
    }


def list_events(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor, filters = request["actor"], request["filters"]
    page = _page(uow, filters, filters["limit"])
    uow.emit(audit_event(SERVICE, "list_events", actor=actor, criteria=filters))
    return page


def export_trail(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """One user's whole trail, or one child's, for an investigation; a trail longer than one export goes on from ``next_after_seq``."""
    actor, whose = request["actor"], request["whose"]
    filters = {**dict.fromkeys(("actor", "contactpoint_id", "la", "action", "since", "until", "before_seq")), **whose,
               "after_seq": request["after_seq"], "order": OLDEST_FIRST}
    trail = _page(uow, filters, EXPORT_LIMIT)
    uow.emit(audit_event(SERVICE, "export_trail", actor=actor, criteria={**whose, "after_seq": request["after_seq"]},
                         contactpoint_ids=[whose["contactpoint_id"]] if whose.get("contactpoint_id") else [],
                         detail={"events": len(trail["events"])}))
    return {**whose, **trail}


def _page(uow: UnitOfWork, filters: dict, limit: int) -> dict:
    """Events matching the filters, in chain order from after ``after_seq``, or newest first from before ``before_seq``;
    ``next_after_seq`` (or ``next_before_seq``) says where the next page starts."""
    newest = filters["order"] == NEWEST_FIRST
    query = select(AuditRecord).order_by(AuditRecord.seq.desc() if newest else AuditRecord.seq).limit(limit)
    if filters["actor"]:
        query = query.where(AuditRecord.actor_username == filters["actor"])
    if filters["contactpoint_id"]:
        query = query.join(AuditSubject).where(AuditSubject.contactpoint_id == filters["contactpoint_id"])
    if filters["la"]:
        query = query.where(AuditRecord.la_code == filters["la"])
    if filters["action"]:
        query = query.where(AuditRecord.action == filters["action"])
    if filters["since"]:
        query = query.where(AuditRecord.occurred_at >= filters["since"])
    if filters["until"]:
        query = query.where(AuditRecord.occurred_at < filters["until"])
    if filters["after_seq"]:
        query = query.where(AuditRecord.seq > filters["after_seq"])
    if filters["before_seq"]:
        query = query.where(AuditRecord.seq < filters["before_seq"])
    records = uow.session.scalars(query).all()
    more = records[-1].seq if len(records) == limit else None
    return {
        "events": [{"seq": r.seq, **r.event} for r in records],
        "next_after_seq": None if newest else more, "next_before_seq": more if newest else None,
    }


def subscribe_team(uow: UnitOfWork, request: dict, envelope=None, *, ask_provisioner: Asker) -> dict:
    """A security team's own broker user and durable queue, bound to ``cp.audit`` and ``cp.alerts`` with its keys; it may only read.

    The provisioner makes them. Subscribing a team again adds its new bindings and gives it a new
    password. A name that is already another broker user's (a service's, a partner system's, an
    administrator's) is refused.
    """
    team_id, bindings = request["team_id"], request["bindings"]
    made = ask_provisioner(requests.OPEN_TEAM_ACCOUNT, {"team_id": team_id, "bindings": bindings})
    uow.emit(audit_event(SERVICE, "team_subscribed", actor=request["actor"], subject=team_id, detail={"bindings": bindings}))
    return {"team_id": team_id, **made}


def verify_store(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings) -> dict:
    """Walks the whole store up to the chain head as it was when the walk began (checkpoints read first: none is newer).

    Signatures are checked with the public keys the request gives, else with those configured; with none, not at all.
    """
    public_keys = request["public_keys"] or checkpoints.configured_checking_keys(settings.checkpoint_public_key, settings.checkpoint_key)
    signed = [checkpoints.Checkpoint(c.id, c.seq, c.hash, c.signed_at, c.key_id, c.signature)
              for c in uow.session.scalars(select(SignedCheckpoint).order_by(SignedCheckpoint.id))]
    head = uow.session.get(ChainHead, 1)
    head_at = (head.seq, head.hash) if head else None
    rows = uow.session.execute(
        select(AuditRecord).where(AuditRecord.seq <= (head.seq if head else 0)).order_by(AuditRecord.seq)
        .execution_options(yield_per=VERIFY_BATCH)
    ).scalars()
    verdict = verification.verify((_stored(record) for record in rows), head_at, signed, public_keys)
    uow.emit(audit_event(SERVICE, "verify", actor=request["actor"], outcome="success" if verdict.intact else "failure",
                         detail={"events": verdict.events, "first_bad_seq": verdict.first_bad_seq}))
    return verdict.as_dict()


def sign_checkpoint(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings) -> dict:
    """Signs the chain head as it is now, unless the last checkpoint already holds it."""
    key = checkpoints.signing_key(settings.checkpoint_key)
    head = uow.session.get(ChainHead, 1) or ChainHead(id=1, seq=0, hash=chain.GENESIS)
    last = uow.session.scalar(select(SignedCheckpoint).order_by(SignedCheckpoint.id.desc()).limit(1))
    if last is not None and last.seq == head.seq:
        return {"seq": last.seq, "signed_at": last.signed_at, "new": False}
    checkpoint = SignedCheckpoint(**checkpoints.sign(key, head.seq, head.hash, utcnow().isoformat()))
    uow.session.add(checkpoint)
    return {"seq": checkpoint.seq, "signed_at": checkpoint.signed_at, "new": True}


def _stored(record: AuditRecord) -> verification.StoredEvent:
    columns = {name: getattr(record, name) for name in chain.INDEXED_COLUMNS}
    return verification.StoredEvent(record.seq, record.event, record.prev_hash, record.hash, columns)


def routes(*, settings: Settings, ask_provisioner: Asker) -> Routes:
    auditors = people(AUDITOR)
    return Routes(
        requests={
            requests.LIST_AUDIT_EVENTS: Request(ListEventsSchema, list_events, auditors),
            requests.VERIFY_AUDIT: Request(VerifyAuditSchema, partial(verify_store, settings=settings), auditors | OPERATOR_ONLY),
            requests.EXPORT_TRAIL: Request(ExportTrailSchema, export_trail, auditors),
            requests.SUBSCRIBE_TEAM: Request(SubscribeTeamSchema, partial(subscribe_team, ask_provisioner=ask_provisioner), OPERATOR_ONLY),
            requests.LIST_ALERTS: Request(ListAlertsSchema, list_alerts, auditors),
            requests.INVESTIGATE_ALERT: Request(InvestigateAlertSchema, investigate_alert, auditors),
            requests.SET_RULE_SETTING: Request(RuleSettingSchema, set_rule_setting, OPERATOR_ONLY),
            requests.CHECKPOINT_AUDIT: Request(ActorOnlySchema, partial(sign_checkpoint, settings=settings), SCHEDULED),
        },
        events=[Subscription(AUDIT_EVENTS, batch_handler=store_events, batch=STORE_BATCH, schema=AuditEventSchema,
                             senders=claimed_service, on_rejected=alert_on_forgery)],
    )
