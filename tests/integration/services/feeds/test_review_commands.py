"""The LA ContactPoint team's review queue at the command line, on the real servers: an unsure match waits as a child of
its own, marked as a possible duplicate; `review link` joins it for good; `review separate` keeps it apart for good."""
import json
import subprocess
import sys

import pytest

from services.feeds.models import LinkedChild, ReviewTask, SourceRecord
from tests.integration.services.builders import an_unsure_pair
from tests.support import environment_for, wait_until

pytestmark = pytest.mark.integration


def contactpoint(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contactpoint", *args], env=environment_for(settings), capture_output=True, text=True, timeout=60)


@pytest.fixture
def unsure(services, register_source) -> dict:
    """A child sent by a school, then by a health service from another home, a digit of the birth date different and without an
    NHS number: sure enough to ask, not to link."""
    school, health = register_source(kinds=("school",)), register_source(kinds=("health",))
    first, second = an_unsure_pair(second_service="health")
    held = school.feedback_about(school.publish(first))
    asked = health.feedback_about(health.publish(second))
    return {"candidate": held["contactpoint_id"], "record": asked["contactpoint_id"], "source_id": health.source_id,
            "source_record_id": second["source_record_id"]}


def task_about(services, contactpoint_id: str) -> ReviewTask:
    with services["feeds"].db.sessions() as session:
        return session.query(ReviewTask).filter_by(contactpoint_id=contactpoint_id).one()


def test_review_list_shows_both_children_and_link_joins_them_for_good(migrated, services, unsure):
    assert unsure["record"] != unsure["candidate"]
    task = task_about(services, unsure["record"])

    listed = contactpoint(migrated, "review", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [shown] = [t for t in json.loads(listed.stdout) if t["task_id"] == task.task_id]
    assert (shown["record"]["contactpoint_id"], shown["candidate"]["contactpoint_id"]) == (unsure["record"], unsure["candidate"])
    assert shown["record"]["demographics"]["address"]["postcode"] == "YO1 7HH"

    linked = contactpoint(migrated, "review", "link", str(task.task_id), "--json")
    assert linked.returncode == 0, linked.stderr
    assert json.loads(linked.stdout)["contactpoint_id"] == unsure["candidate"]

    with services["feeds"].db.sessions() as session:
        record = session.get(SourceRecord, (unsure["source_id"], unsure["source_record_id"]))
        assert record.contactpoint_id == unsure["candidate"] and record.linked_by.startswith("cli:")
        assert session.get(LinkedChild, unsure["record"]).merged_into == unsure["candidate"]

    again = contactpoint(migrated, "review", "separate", str(task.task_id))
    assert again.returncode != 0 and "already decided" in again.stderr and "Traceback" not in again.stderr


def test_review_separate_keeps_the_two_apart_and_the_directory_drops_the_mark(migrated, services, unsure):
    from services.directory.models import Child

    task = task_about(services, unsure["record"])

    separated = contactpoint(migrated, "review", "separate", str(task.task_id))

    assert separated.returncode == 0, separated.stderr

    def both_held_apart() -> bool:
        with services["directory"].db.sessions() as session:
            held = [session.get(Child, cp_id) for cp_id in (unsure["record"], unsure["candidate"])]
            return all(child is not None and child.active for child in held) and held[0].version >= 2

    wait_until(both_held_apart, what="the directory to hold both children, apart")
    with services["feeds"].db.sessions() as session:
        assert session.get(SourceRecord, (unsure["source_id"], unsure["source_record_id"])).contactpoint_id == unsure["record"]
