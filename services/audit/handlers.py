"""The audit service's routing table: the events it stores, the requests it answers, the handler of each and who may ask.

Its handlers, by use case: ``storing`` (each event once, at the end of the chain), ``trail`` (the trail as auditors read
it), ``alerts`` (what security teams hear of) and ``integrity`` (that no one changed the store).
"""
from __future__ import annotations

from functools import partial

from services.audit import SERVICE, alerts, integrity, storing, trail
from services.audit.schemas import (
    ActorOnlySchema, ExportTrailSchema, InvestigateAlertSchema, ListAlertsSchema, ListEventsSchema, RuleSettingSchema, VerifyAuditSchema,
)
from shared.contracts import requests
from shared.contracts.audit import AuditEventSchema, SubscribeTeamSchema
from shared.messaging.consumer import Subscription
from shared.messaging.rpc import Asker
from shared.messaging.topology import AUDIT_EVENTS
from shared.principals import AUDITOR, OPERATOR_ONLY, SCHEDULED, people
from shared.service import Request, Routes
from shared.settings import Settings

__all__ = ["SERVICE", "routes"]


def routes(*, settings: Settings, ask_provisioner: Asker) -> Routes:
    auditors = people(AUDITOR)
    return Routes(
        requests={
            requests.LIST_AUDIT_EVENTS: Request(ListEventsSchema, trail.list_events, auditors),
            requests.VERIFY_AUDIT: Request(VerifyAuditSchema, partial(integrity.verify_store, settings=settings), auditors | OPERATOR_ONLY),
            requests.EXPORT_TRAIL: Request(ExportTrailSchema, trail.export_trail, auditors),
            requests.SUBSCRIBE_TEAM: Request(SubscribeTeamSchema, partial(alerts.subscribe_team, ask_provisioner=ask_provisioner), OPERATOR_ONLY),
            requests.LIST_ALERTS: Request(ListAlertsSchema, alerts.list_alerts, auditors),
            requests.INVESTIGATE_ALERT: Request(InvestigateAlertSchema, alerts.investigate_alert, auditors),
            requests.SET_RULE_SETTING: Request(RuleSettingSchema, alerts.set_rule_setting, OPERATOR_ONLY),
            requests.CHECKPOINT_AUDIT: Request(ActorOnlySchema, partial(integrity.sign_checkpoint, settings=settings), SCHEDULED),
        },
        events=[Subscription(AUDIT_EVENTS, batch_handler=storing.store_events, batch=storing.STORE_BATCH, schema=AuditEventSchema,
                             senders=storing.claimed_service, on_rejected=storing.alert_on_forgery)],
    )
