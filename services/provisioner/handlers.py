"""The provisioner's handlers: the broker users of partner systems and security teams, made and removed.

It is the only process with the broker's administrator rights, so it takes requests from two
services alone (feeds for sources, audit for teams), and what a user it makes may do is fixed
here, not by its caller: a source may publish to ``cp.feeds`` under its own id and read its own
feedback queue; a team may read its own queue. It keeps the name and kind of every user it made
and touches no other: a name that is already a broker user it did not make, or one of the other
kind, is refused.
"""
from __future__ import annotations

import re
from functools import partial

from services.provisioner.errors import NameTaken, NotOurs
from services.provisioner.models import BrokerAccount
from services.provisioner.schemas import SourceAccountSchema, TeamAccountSchema
from shared.broker_admin import BrokerAdmin, new_password
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.messaging.envelope import utcnow
from shared.messaging.topology import ALERTS, AUDIT, FEEDS, feedback_queue, team_queue
from shared.principals import Names, services
from shared.service import Request, Routes
from shared.unit_of_work import UnitOfWork

SERVICE = "provisioner"
SOURCE, TEAM = "source", "team"


def open_source_account(uow: UnitOfWork, request: dict, envelope=None, *, broker: BrokerAdmin, names: Names) -> dict:
    source_id = request["source_id"]
    _take(uow, broker, names, source_id, SOURCE, request["actor"])
    password = new_password()
    own = re.escape(source_id)
    broker.create_user(source_id, password)
    broker.grant(source_id, configure="^$", write=f"^{re.escape(FEEDS.name)}$", read=f"^{re.escape(feedback_queue(source_id).name)}$")
    broker.grant_topic(source_id, FEEDS.name, write=f"^{own}\\.[^.]+$", read="^$")
    broker.declare(feedback_queue(source_id))
    uow.emit(audit_event(SERVICE, "source_account_opened", actor=request["actor"], subject=source_id))
    return {"amqp_password": password}


def close_source_account(uow: UnitOfWork, request: dict, envelope=None, *, broker: BrokerAdmin) -> dict:
    """Removes a source's broker user; its name stays the source's."""
    account = uow.session.get(BrokerAccount, request["source_id"])
    if account is None or account.kind != SOURCE:
        raise NotOurs(request["source_id"], SOURCE)
    broker.delete_user(account.name)
    account.closed_at = utcnow()
    uow.emit(audit_event(SERVICE, "source_account_closed", actor=request["actor"], subject=account.name))
    return {"source_id": account.name}


def open_team_account(uow: UnitOfWork, request: dict, envelope=None, *, broker: BrokerAdmin, names: Names) -> dict:
    """A team's user that may only read its own queue, bound to ``cp.audit`` and ``cp.alerts``; again, more bindings and a new password."""
    team_id, bindings = request["team_id"], request["bindings"]
    _take(uow, broker, names, team_id, TEAM, request["actor"])
    queues = [team_queue(team_id, exchange, key) for exchange in (AUDIT, ALERTS) for key in bindings]
    password = new_password()
    broker.create_user(team_id, password)
    broker.grant(team_id, configure="^$", write="^$", read=f"^{re.escape(queues[0].name)}$")
    for queue in queues:
        broker.declare(queue)
    uow.emit(audit_event(SERVICE, "team_account_opened", actor=request["actor"], subject=team_id, detail={"bindings": bindings}))
    return {"queue": queues[0].name, "amqp_password": password}


def _take(uow: UnitOfWork, broker: BrokerAdmin, names: Names, name: str, kind: str, actor: dict) -> BrokerAccount:
    """The account of this name and kind, made before or taken now; refused where the name is anyone else's."""
    account = uow.session.get(BrokerAccount, name, with_for_update=True)
    if account is not None:
        if account.kind != kind:
            raise NameTaken(name)
        account.closed_at = None
        return account
    if name in names.reserved or broker.user_exists(name):
        raise NameTaken(name)
    account = BrokerAccount(name=name, kind=kind, opened_by=actor["username"], opened_at=utcnow())
    uow.session.add(account)
    uow.session.flush()  # the name is ours before the broker hears of it: two askers at once cannot both take it
    return account


def routes(*, broker: BrokerAdmin, names: Names) -> Routes:
    return Routes(requests={
        requests.OPEN_SOURCE_ACCOUNT: Request(SourceAccountSchema, partial(open_source_account, broker=broker, names=names), services("feeds")),
        requests.CLOSE_SOURCE_ACCOUNT: Request(SourceAccountSchema, partial(close_source_account, broker=broker), services("feeds")),
        requests.OPEN_TEAM_ACCOUNT: Request(TeamAccountSchema, partial(open_team_account, broker=broker, names=names), services("audit")),
    })
