"""What security teams hear of and look into: alerts, each investigated once; the rules' settings per LA; a team's own
subscription to the events and alerts."""
from __future__ import annotations

from sqlalchemy import select

from services.audit import SERVICE, rules
from services.audit.errors import UnknownAlert
from services.audit.models import Alert, RuleSetting
from shared.contracts import requests
from shared.contracts.audit import NATIONAL, NEWEST_FIRST, audit_event
from shared.messaging.envelope import utcnow
from shared.messaging.rpc import Asker
from shared.unit_of_work import UnitOfWork


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
    for column, name in ((Alert.rule, "rule"), (Alert.status, "status"), (Alert.la_code, "la")):
        if filters[name]:
            query = query.where(column == filters[name])
    if filters["after_id"]:
        query = query.where(Alert.id > filters["after_id"])
    if filters["before_id"]:
        query = query.where(Alert.id < filters["before_id"])
    alerts = uow.session.scalars(query).all()
    more = alerts[-1].id if len(alerts) == filters["limit"] else None
    return {"alerts": [shown(alert) for alert in alerts], "next_after_id": None if newest else more, "next_before_id": more if newest else None}

def investigate_alert(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    actor = request["actor"]
    alert = uow.session.get(Alert, request["alert_id"], with_for_update=True)
    if alert is None:
        raise UnknownAlert(request["alert_id"])
    alert.status, alert.investigated_by, alert.investigated_at, alert.note = "investigated", actor["username"], utcnow(), request["note"]
    uow.emit(audit_event(SERVICE, "alert_investigated", actor=actor, la_code=alert.la_code, subject=str(alert.id),
                         contactpoint_ids=[alert.contactpoint_id] if alert.contactpoint_id else [],
                         detail={"rule": alert.rule, "note": alert.note}))
    return shown(alert)

def shown(alert: Alert) -> dict:
    return {
        "alert_id": alert.id, "rule": alert.rule, "la_code": alert.la_code, "raised_at": alert.raised_at, "actor": alert.actor_username,
        "contactpoint_id": alert.contactpoint_id, "event_id": alert.event_id, "seq": alert.seq, "detail": alert.detail,
        "status": alert.status, "investigated_by": alert.investigated_by, "investigated_at": alert.investigated_at, "note": alert.note,
        "count": alert.count or 1, "last_seen_at": alert.last_seen_at,
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
