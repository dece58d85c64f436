"""Shielding a child: set by a source's record or the LA ContactPoint team, lifted only by that team; each change audited."""
from __future__ import annotations

from services.feeds import SERVICE
from services.feeds.children import LA_TEAM, las_holding, publish
from services.feeds.errors import NotYourLA, UnknownChild
from services.feeds.models import LinkedChild
from shared.contracts.audit import audit_event
from shared.messaging.envelope import Envelope
from shared.principals import OPERATOR
from shared.unit_of_work import UnitOfWork


def shield_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """The LA ContactPoint team's decision that a child is at risk if found: shielded until that team lifts it."""
    return _decide_shielding(uow, request, shielded=True)


def unshield_child(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Lifts a child's shielding, whoever set it: the LA ContactPoint team's alone (its routing table says so)."""
    return _decide_shielding(uow, request, shielded=False)


def _decide_shielding(uow: UnitOfWork, request: dict, *, shielded: bool) -> dict:
    actor, contactpoint_id = request["actor"], request["contactpoint_id"]
    child = uow.session.get(LinkedChild, contactpoint_id, with_for_update=True)
    if child is None or child.merged_into is not None:
        raise UnknownChild(contactpoint_id)
    holding = las_holding(uow.session, contactpoint_id)
    if actor["role"] == LA_TEAM and actor["la_code"] not in holding:
        raise NotYourLA(f"{contactpoint_id} is a child no source of your LA holds")
    changed = bool(child.shielded) != shielded
    child.shielded = shielded
    uow.emit(shielding_audited(child, shielded, actor=actor, la_code=next(iter(sorted(holding)), None) if actor["role"] == OPERATOR else None,
                               by="la_team", reason=request["reason"], changed=changed))
    if changed:
        publish(uow, child)
    return {"contactpoint_id": contactpoint_id, "shielded": shielded, "changed": changed}


def shielding_audited(child: LinkedChild, shielded: bool, *, actor: dict | None, la_code: str | None, by: str, reason: str, **detail) -> Envelope:
    return audit_event(SERVICE, "child_shielded" if shielded else "child_unshielded", actor=actor, la_code=la_code,
                       subject=child.contactpoint_id, contactpoint_ids=[child.contactpoint_id], detail={"by": by, "reason": reason, **detail})
