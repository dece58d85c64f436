"""The registered sources: added with a broker user of their own (made by the provisioner), disabled, listed."""
from __future__ import annotations

from sqlalchemy import select

from services.feeds import SERVICE
from services.feeds.children import LA_TEAM
from services.feeds.errors import NotYourLA, SourceExists, UnknownSource
from services.feeds.models import Source
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.messaging.rpc import Asker
from shared.principals import OPERATOR
from shared.unit_of_work import UnitOfWork


def _may_manage_sources(actor: dict, la_code: str | None) -> None:
    """An operator manages every source; an LA's ContactPoint team only its own LA's; no one else any."""
    if actor["role"] == OPERATOR:
        return
    if actor["role"] != LA_TEAM:
        raise NotYourLA("only an LA's ContactPoint team or an operator manages sources")
    if la_code != actor["la_code"]:
        raise NotYourLA("an LA's ContactPoint team manages its own LA's sources only")


def add_source(uow: UnitOfWork, request: dict, envelope=None, *, ask_provisioner: Asker) -> dict:
    """A source, with its own broker user made by the provisioner (which refuses a name that is already a broker user's)."""
    source_id = request["source_id"]
    _may_manage_sources(request["actor"], request["la_code"])
    if uow.session.get(Source, source_id) is not None:
        raise SourceExists(source_id)
    uow.session.add(Source(source_id=source_id, name=request["name"], la_code=request["la_code"], kinds=request["kinds"], enabled=True))
    password = ask_provisioner(requests.OPEN_SOURCE_ACCOUNT, {"source_id": source_id})["amqp_password"]
    uow.emit(audit_event(SERVICE, "source_added", actor=request["actor"], la_code=request["la_code"], subject=source_id,
                         detail={"kinds": request["kinds"]}))
    return {"source_id": source_id, "amqp_password": password}


def disable_source(uow: UnitOfWork, request: dict, envelope=None, *, ask_provisioner: Asker) -> dict:
    source = uow.session.get(Source, request["source_id"])
    if source is None:
        raise UnknownSource(request["source_id"])
    _may_manage_sources(request["actor"], source.la_code)
    source.enabled = False
    ask_provisioner(requests.CLOSE_SOURCE_ACCOUNT, {"source_id": source.source_id})
    uow.emit(audit_event(SERVICE, "source_disabled", actor=request["actor"], la_code=source.la_code, subject=source.source_id))
    return {"source_id": source.source_id, "enabled": False}


def list_sources(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    """Every source for an operator; an LA's team sees its own LA's."""
    actor = request["actor"]
    query = select(Source).order_by(Source.source_id)
    if actor["role"] != OPERATOR:
        _may_manage_sources(actor, actor["la_code"])
        query = query.where(Source.la_code == actor["la_code"])
    return [
        {"source_id": s.source_id, "name": s.name, "la_code": s.la_code, "kinds": s.kinds, "enabled": s.enabled}
        for s in uow.session.scalars(query)
    ]
