"""Audit events: who did what, for which purpose, to which children; routed by LA, service and action."""
from __future__ import annotations

from datetime import date

from shared.contracts.audit import NATIONAL, AuditEventSchema, audit_event

ACTOR = {"username": "sam.patel", "la_code": "E08000035", "role": "practitioner", "category": "social_worker"}


def test_an_event_is_routed_by_the_actors_la_its_service_and_its_action():
    event = audit_event("directory", "search", actor=ACTOR, purpose="safeguarding")

    assert (event.exchange, event.routing_key, event.type) == ("cp.audit", "E08000035.directory.search", "directory.search")
    assert event.body["la_code"] == "E08000035"


def test_an_event_given_an_la_belongs_to_that_la_whoever_acted():
    event = audit_event("feeds", "source_added", actor=ACTOR, la_code="E08000036")

    assert event.routing_key == "E08000036.feeds.source_added"


def test_an_event_of_no_la_is_national():
    event = audit_event("identity", "login_failed", outcome="refused", subject="nobody")

    assert event.routing_key == f"{NATIONAL}.identity.login_failed"
    assert event.body["actor"] is None


def test_the_event_id_is_the_message_id_so_a_repeat_is_stored_once():
    event = audit_event("directory", "read", actor=ACTOR)

    assert event.message_id == event.body["event_id"]
    assert audit_event("directory", "read", actor=ACTOR).message_id != event.message_id


def test_an_event_body_is_what_the_audit_service_accepts():
    event = audit_event("directory", "search", actor=ACTOR, purpose="wellbeing", criteria={"family_name": "Smith"},
                        contactpoint_ids=["CP-1", "CP-2"], detail={"results": 2})

    loaded = AuditEventSchema().load(event.body)

    assert loaded["contactpoint_ids"] == ["CP-1", "CP-2"]
    assert loaded["occurred_at"].tzinfo is not None
    assert loaded["outcome"] == "success"
    assert loaded["actor"]["username"] == "sam.patel"


def test_search_criteria_are_recorded_as_given_leaving_out_the_empty_ones():
    event = audit_event("directory", "search", actor=ACTOR, criteria={
        "family_name": "Smith", "given_name": None, "postcode": "", "date_of_birth": date(2012, 3, 4),
    })

    assert event.body["criteria"] == {"family_name": "Smith", "date_of_birth": "2012-03-04"}


def test_an_event_without_optional_facts_loads_with_empty_defaults():
    loaded = AuditEventSchema().load(audit_event("identity", "logout", actor=ACTOR).body)

    assert (loaded["criteria"], loaded["contactpoint_ids"], loaded["detail"]) == ({}, [], {})
    assert (loaded["subject"], loaded["purpose"]) == (None, None)
