"""The export of the children ContactPoint holds, on the real servers: page after page, every held source record on exactly
one child's line; a record awaiting review on a line of its own, marked as a possible duplicate; a child joined into another,
or no longer held by any source, on none. `directory export` writes the same as JSON Lines."""
import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from contactpoint.commands.common import operator
from services.audit.models import AuditRecord
from shared.errors import Forbidden
from services.feeds.models import ReviewTask, SourceRecord
from shared.contracts.requests import EXPORT_CHILDREN, LINK_REVIEW
from tests.integration.services.builders import a_feed_message, an_unsure_pair
from tests.support import environment_for, every_page, wait_until

pytestmark = pytest.mark.integration


def contactpoint(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contactpoint", *args], env=environment_for(settings), capture_output=True, text=True, timeout=120)


def sent(partner, message: dict) -> str:
    """Publishes as the partner; the contactpoint_id the feeds service linked the record to."""
    told = partner.feedback_about(partner.publish(message))
    assert told["outcome"] == "accepted", told
    return told["contactpoint_id"]


def open_task_about(services, contactpoint_id: str) -> ReviewTask:
    with services["feeds"].db.sessions() as session:
        return session.scalars(select(ReviewTask).where(ReviewTask.contactpoint_id == contactpoint_id, ReviewTask.status == "open")).one()


def held_records(services) -> list[list[str]]:
    with services["feeds"].db.sessions() as session:
        return sorted([r.source_id, r.source_record_id] for r in session.scalars(select(SourceRecord).where(SourceRecord.held)))


def pages_of(services, limit: int) -> list[dict]:
    return every_page(services["feeds"], EXPORT_CHILDREN, limit, operator())


@pytest.fixture
def held(services, register_source) -> dict:
    """Two sources' records: one child both hold, one record awaiting review, one child joined into another, one removed."""
    school, health = register_source(kinds=("school",)), register_source(kinds=("health",))

    at_school = a_feed_message()
    at_health = a_feed_message(service="health", nhs_number=at_school["child"]["identifiers"]["nhs_number"])
    at_health["child"] |= {key: at_school["child"][key] for key in ("family_name", "given_names")}
    both = sent(school, at_school)
    assert sent(health, at_health) == both

    known, unsure = an_unsure_pair(second_service="health")
    candidate, awaiting = sent(school, known), sent(health, unsure)
    assert open_task_about(services, awaiting).candidate_id == candidate

    kept, joined = (sent(sender, message) for sender, message in zip((school, health), an_unsure_pair(second_service="health")))
    services["feeds"].perform(LINK_REVIEW, {"task_id": open_task_about(services, joined).task_id, "actor": operator()})

    removed_record = a_feed_message()
    removed = sent(school, removed_record)
    assert sent(school, {**removed_record, "sequence": 2, "action": "remove", "child": None}) == removed

    return {
        "both": both, "both_records": sorted([[school.source_id, at_school["source_record_id"]], [health.source_id, at_health["source_record_id"]]]),
        "family_name": at_school["child"]["family_name"],
        "candidate": candidate, "awaiting": awaiting, "awaiting_record": [health.source_id, unsure["source_record_id"]],
        "kept": kept, "joined": joined, "removed": removed, "removed_record": [school.source_id, removed_record["source_record_id"]],
    }


def test_pages_hold_every_held_record_once_and_a_record_awaiting_review_as_a_possible_duplicate(services, held):
    total = services["feeds"].perform(EXPORT_CHILDREN, {"limit": 1, "actor": operator()})["total"]
    pages = pages_of(services, limit=max(2, total // 5))  # a handful of pages, however many children other tests left
    lines = {line["contactpoint_id"]: line for page in pages for line in page["children"]}
    exported = [record for line in lines.values() for record in line["source_records"]]

    assert len(pages) > 1 and pages[0]["total"] == len(lines) == sum(len(page["children"]) for page in pages)
    assert list(lines) == sorted(lines)
    assert sorted(exported) == held_records(services)

    assert lines[held["both"]]["source_records"] == held["both_records"]
    assert lines[held["both"]]["demographics"]["family_name"] == held["family_name"]
    assert lines[held["awaiting"]]["source_records"] == [held["awaiting_record"]]
    assert lines[held["awaiting"]]["possible_duplicate_of"] == [held["candidate"]]
    assert held["awaiting"] in lines[held["candidate"]]["possible_duplicate_of"]
    assert lines[held["both"]]["possible_duplicate_of"] == []

    assert held["joined"] not in lines and len(lines[held["kept"]]["source_records"]) == 2
    assert held["removed"] not in lines and held["removed_record"] not in exported


def test_each_page_exported_is_audited_with_the_children_on_it(services, held):
    [page] = pages_of(services, limit=1000)
    exported = {line["contactpoint_id"] for line in page["children"]}

    def recorded():
        with services["audit"].db.sessions() as session:
            events = session.scalars(select(AuditRecord).where(AuditRecord.action == "children_exported")).all()
        return [e.event for e in events if set(e.event["contactpoint_ids"]) == exported]

    [event, *_] = wait_until(recorded, what="the page's audit event")
    assert event["service"] == "feeds" and event["actor"]["role"] == "operator"
    assert event["detail"]["children"] == len(exported)


def test_no_one_but_an_operator_exports(services):
    practitioner = {"username": "pat", "la_code": "E08000035", "role": "practitioner", "category": "social_worker"}

    with pytest.raises(Forbidden):
        services["feeds"].perform(EXPORT_CHILDREN, {"actor": practitioner})


def test_directory_export_writes_a_line_a_child_and_says_how_many(migrated, services, held, tmp_path):
    file = tmp_path / "children.jsonl"

    finished = contactpoint(migrated, "directory", "export", str(file), "--json")

    assert finished.returncode == 0, finished.stderr
    lines = [json.loads(line) for line in file.read_text().splitlines()]
    summary = json.loads(finished.stdout)
    assert summary["children"] == len(lines) and summary["source_records"] == sum(len(line["source_records"]) for line in lines)
    [both] = [line for line in lines if line["contactpoint_id"] == held["both"]]
    assert set(both) == {"contactpoint_id", "demographics", "source_records", "possible_duplicate_of"}
    assert both["source_records"] == held["both_records"]
    assert not (tmp_path / "children.jsonl.partial").exists()
