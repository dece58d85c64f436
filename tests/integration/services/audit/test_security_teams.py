"""Security teams and auditors watching the trail: a team's own read-only broker user and queue, `audit tail`,
pages of the trail, and one user's or one child's whole trail exported for an investigation."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from amqp.exceptions import AccessRefused, NotFound
from kombu import Producer, Queue

from contactpoint import partner
from shared.contracts.audit import audit_event
from shared.contracts.requests import EXPORT_TRAIL, LIST_AUDIT_EVENTS, SUBSCRIBE_TEAM
from shared.errors import InvalidRequest
from shared.messaging.connection import connect
from shared.messaging.publisher import Publisher
from shared.messaging.topology import AUDIT, AUDIT_EVENTS
from tests.integration.services.audit.conftest import ACTOR, lookups
from tests.support import environment_for, unique, wait_until

pytestmark = pytest.mark.integration

OPERATOR = {"username": "cli:tester", "la_code": "national", "role": "operator", "category": None}
AUDITOR = {"username": "ada.auditor", "la_code": "E08000035", "role": "auditor", "category": "security", "sees_sensitive": False}
COMMAND = str(Path(sys.executable).with_name("contactpoint"))


@pytest.fixture
def publish(audit_store):
    publisher = Publisher(lambda: connect(audit_store.for_service("directory")))
    yield publisher.publish
    publisher.close()


@pytest.fixture
def team(audit, broker_admin):
    team_id = unique("soc")
    made = audit.perform(SUBSCRIBE_TEAM, {"team_id": team_id, "bindings": ["E08000035.directory.*", "E08000035.shielded_record"], "actor": OPERATOR})
    yield made
    broker_admin.delete_user(team_id)


def test_a_team_reads_what_its_bindings_take_from_its_own_queue(team, audit_store, publish):
    wanted = audit_event("directory", "read", actor=ACTOR, subject="CP-1", contactpoint_ids=["CP-1"])
    elsewhere = audit_event("directory", "read", actor={**ACTOR, "la_code": "E09000001"})
    publish(elsewhere, wanted)

    with partner.source_connection(audit_store.amqp_url, team["team_id"], team["amqp_password"]) as connection:
        queue = Queue(team["queue"], no_declare=True)(connection.default_channel)
        message = wait_until(lambda: queue.get(no_ack=True, accept=["json"]), what="the event in the team's queue")

    assert team["queue"] == f"cp.audit.{team['team_id']}"
    assert message.payload["event_id"] == wanted.message_id


def test_a_team_may_not_publish_to_the_audit_stream(team, audit_store):
    with partner.source_connection(audit_store.amqp_url, team["team_id"], team["amqp_password"]) as connection:
        with pytest.raises(AccessRefused):
            Producer(connection.channel()).publish(b"{}", exchange=AUDIT.name, routing_key="E08000035.directory.read")


def test_a_team_may_not_read_the_audit_services_queue(team, audit_store):
    with partner.source_connection(audit_store.amqp_url, team["team_id"], team["amqp_password"]) as connection:
        with pytest.raises((AccessRefused, NotFound)):
            Queue(AUDIT_EVENTS.name, no_declare=True)(connection.channel()).get(no_ack=False)


def test_a_team_id_or_binding_that_cannot_be_used_is_refused(audit):
    with pytest.raises(InvalidRequest):
        audit.perform(SUBSCRIBE_TEAM, {"team_id": "Not A Team", "bindings": ["#"], "actor": OPERATOR})
    with pytest.raises(InvalidRequest):
        audit.perform(SUBSCRIBE_TEAM, {"team_id": "soc-x", "bindings": ["a..b"], "actor": OPERATOR})


def test_the_subscribe_command_prints_the_queue_and_password_as_json(audit_store, broker_admin, provisioner):
    team_id = unique("soc")
    try:
        done = subprocess.run([COMMAND, "audit", "subscribe", team_id, "--binding", "#", "--json"],
                              env=environment_for(audit_store), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        made = json.loads(done.stdout)
        assert (made["team_id"], made["queue"]) == (team_id, f"cp.audit.{team_id}") and made["amqp_password"]
    finally:
        broker_admin.delete_user(team_id)


def test_audit_tail_prints_the_live_events_it_was_asked_for(audit_store, publish, tmp_path):
    la = unique("LA").replace("-", "")
    output = tmp_path / "tail.jsonl"
    with output.open("w") as sink:
        tail = subprocess.Popen([COMMAND, "audit", "tail", "--la", la, "--action", "directory.read", "--count", "1"],
                                env=environment_for(audit_store), stdout=sink, stderr=subprocess.DEVNULL)
    try:
        wanted = audit_event("directory", "read", actor={**ACTOR, "la_code": la})

        def printed():
            publish(audit_event("directory", "search", actor={**ACTOR, "la_code": la}), wanted)
            return output.read_text().strip()

        lines = wait_until(printed, what="audit tail to print an event").splitlines()
        assert tail.wait(timeout=30) == 0
    finally:
        tail.kill()
        tail.wait()
    event = json.loads(lines[0])
    assert (event["la_code"], event["service"], event["action"]) == (la, "directory", "read")


def test_the_trail_is_read_a_page_at_a_time(audit, store):
    store(*lookups(5))
    first = audit.perform(LIST_AUDIT_EVENTS, {"actor": AUDITOR, "filters": {"actor": ACTOR["username"], "limit": 2}})
    after = {"actor": ACTOR["username"], "limit": 2}
    second = audit.perform(LIST_AUDIT_EVENTS, {"actor": AUDITOR, "filters": {**after, "after_seq": first["next_after_seq"]}})
    last = audit.perform(LIST_AUDIT_EVENTS, {"actor": AUDITOR, "filters": {**after, "after_seq": second["next_after_seq"]}})

    assert [e["seq"] for e in first["events"] + second["events"] + last["events"]] == [1, 2, 3, 4, 5]
    assert last["next_after_seq"] is None


def test_one_users_and_one_childs_whole_trail_are_exported(audit, store):
    store(*lookups(3), *lookups(2, actor={**ACTOR, "username": "someone.else"}, child="CP-2"))

    users = audit.perform(EXPORT_TRAIL, {"actor": AUDITOR, "whose": {"actor": ACTOR["username"]}})
    childs = audit.perform(EXPORT_TRAIL, {"actor": AUDITOR, "whose": {"contactpoint_id": "CP-2"}})

    assert [e["subject"] for e in users["events"]] == ["CP-1", "CP-2", "CP-3"]
    assert {e["actor"]["username"] for e in childs["events"]} == {ACTOR["username"], "someone.else"} and len(childs["events"]) == 3
    with pytest.raises(InvalidRequest):
        audit.perform(EXPORT_TRAIL, {"actor": AUDITOR, "whose": {}})


def test_an_export_through_the_portal_is_for_auditors_and_is_itself_audited(services, auditor, practitioner):
    assert practitioner.get("/api/v1/audit/trail", actor=practitioner.username).status_code == 403
    assert auditor.get("/api/v1/audit/trail").status_code == 400

    answer = auditor.get("/api/v1/audit/trail", actor=practitioner.username)
    assert answer.status_code == 200, answer.get_json()

    def exported():
        events = auditor.get("/api/v1/audit/events", actor=auditor.username, action="export_trail").get_json()["events"]
        return [e for e in events if e["criteria"].get("actor") == practitioner.username]

    wait_until(exported, what="the export in the trail")
