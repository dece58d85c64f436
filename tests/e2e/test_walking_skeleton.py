"""A partner publishes a child through the broker; a practitioner finds the child and sees who works
with them; an auditor sees that lookup. Each step runs in its own process, talking only through RabbitMQ."""
import json

import pytest

from tests.support import unique, unique_name, wait_until

pytestmark = pytest.mark.e2e

LA = "E08000035"
TODAY = "2026-01-05"


def feed_message(source_record_id: str, family_name: str, practitioner: str) -> dict:
    return {
        "schema": "contactpoint.feed.v1",
        "source_record_id": source_record_id,
        "sequence": 1,
        "action": "upsert",
        "child": {
            "family_name": family_name, "given_names": ["Amy", "Louise"], "former_family_names": [],
            "date_of_birth": "2012-03-04", "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"},
            "identifiers": {},
        },
        "carers": [{"name": f"Jo {family_name}", "relationship": "mother", "parental_responsibility": True, "phone": "0113 496 0000"}],
        "involvement": {
            "service": "youth_offending", "organisation": "Leeds YOT",
            "practitioner": {"name": practitioner, "phone": "0113 496 0001", "email": "sam.patel@example.org"},
            "lead_professional": False, "caf_completed": False, "sensitive": False,
            "started_on": "2024-01-10", "ended_on": None,
        },
        "consent": {"retain_to_25": False},
    }


def test_a_published_child_is_found_and_the_lookup_is_audited(system, tmp_path):
    source_id = unique("leeds-yot")
    family_name = unique_name("Smith")
    source = system.cli("sources", "add", source_id, "--name", "Leeds YOT", "--la", LA, "--kinds", "youth_offending", "--json").json()
    practitioner = system.add_account("practitioner", "social_worker", LA)
    auditor = system.add_account("auditor", "security", LA, vetted=False)

    feed = tmp_path / "children.jsonl"
    feed.write_text(json.dumps(feed_message("YOT-000123", family_name, "Sam Patel")) + "\n")
    published = system.cli("feeds", "publish", "--source", source_id, str(feed), CP_SOURCE_PASSWORD=source["amqp_password"])
    assert published.returncode == 0, published.stderr

    practitioner_client = system.login(practitioner)
    criteria = {"family_name": family_name, "date_of_birth": "2012-03-04", "purpose": "safeguarding"}

    def found():
        answer = practitioner_client.get("/api/v1/children/search", params=criteria)
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]

    results = wait_until(found, timeout=20, what="the published child to be found")
    assert [(r["family_name"], r["given_names"]) for r in results] == [(family_name, ["Amy", "Louise"])]

    record = practitioner_client.get(f"/api/v1/children/{results[0]['contactpoint_id']}", params={"purpose": "safeguarding"})
    assert record.status_code == 200, record.text
    assert record.headers["Cache-Control"] == "no-store"
    involvements = record.json()["involvements"]
    assert [(i["organisation"], i["practitioner"]["name"]) for i in involvements] == [("Leeds YOT", "Sam Patel")]
    assert "case_notes" not in record.text

    auditor_client = system.login(auditor)

    def audited_actions():
        answer = auditor_client.get("/api/v1/audit/events", params={"actor": practitioner["username"]})
        assert answer.status_code == 200, answer.text
        return {event["action"] for event in answer.json()["events"]}

    actions = wait_until(lambda: {"search", "read"} <= audited_actions() and audited_actions(), timeout=20, what="the lookups to be audited")
    assert {"search", "read"} <= actions


def test_the_sources_broker_password_is_needed_to_publish(system, tmp_path):
    source_id = unique("health")
    system.cli("sources", "add", source_id, "--name", "Health", "--la", LA, "--kinds", "health", "--json").json()
    feed = tmp_path / "children.jsonl"
    feed.write_text(json.dumps(feed_message("H-1", "Jones", "Dr Who")) + "\n")

    refused = system.cli("feeds", "publish", "--source", source_id, str(feed), CP_SOURCE_PASSWORD="not-the-password")

    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
