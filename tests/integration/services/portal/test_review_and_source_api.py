"""The match review queue and the sources through the portal's API, answered by the feeds service over the real broker:
an LA's ContactPoint team sees and decides its own LA's unsure matches and manages its own LA's sources, no one else's."""
from __future__ import annotations


import pytest

from services.feeds.linkage_model import DEFAULT as HAND_SET_MODEL
from services.feeds.matching import Described, are_twins, match_weight
from tests.integration.services.builders import an_unsure_pair
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration


def assert_refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert set(error) - {"field"} == {"code", "message"} and error["code"] == code and error["message"]


@pytest.fixture
def unsure_task(register_source, la_team) -> dict:
    """Two sources of the LA send what may be one child; the queue holds the task, found by the two children's ids."""
    school, clinic = register_source(("school",)), register_source(("health",))
    first, second = an_unsure_pair(first_service="school", second_service="health")
    held = school.feedback_about(school.publish(first))["contactpoint_id"]
    record = clinic.feedback_about(clinic.publish(second))["contactpoint_id"]
    assert record != held, "an unsure match is held as a child of its own until someone decides"

    def listed():
        answer = la_team.get("/api/v1/reviews")
        assert answer.status_code == 200, answer.get_json()
        tasks = answer.get_json()["tasks"]
        return next((t for t in tasks if {t["record"]["contactpoint_id"], t["candidate"]["contactpoint_id"]} == {held, record}), None)

    task = wait_until(listed, what="the review task to be listed")
    return {**task, "sources": {school.source_id: first, clinic.source_id: second}}


def test_the_builders_pair_lands_between_the_thresholds():
    first, second = an_unsure_pair()
    record, held = Described.of(second["child"]), Described.of(first["child"])

    assert HAND_SET_MODEL.review_from <= match_weight(record, held) < HAND_SET_MODEL.link_at
    assert not are_twins(record, held)


def test_the_queue_shows_both_children_side_by_side_with_the_sources_that_said_them(unsure_task):
    sides = [unsure_task["record"], unsure_task["candidate"]]
    said_by = {side["source_records"][0]["source_id"]: side for side in sides}

    assert set(said_by) == set(unsure_task["sources"])
    for source_id, side in said_by.items():
        sent = unsure_task["sources"][source_id]["child"]
        assert side["demographics"]["given_names"] == sent["given_names"]
        assert side["demographics"]["address"]["postcode"] == sent["address"]["postcode"]
        assert side["provenance"]["given_names"]["source_id"] == source_id
    assert HAND_SET_MODEL.review_from <= unsure_task["weight"] < HAND_SET_MODEL.link_at


def test_linking_joins_the_two_and_empties_the_task_from_the_queue(la_team, unsure_task):
    answer = la_team.post(f"/api/v1/reviews/{unsure_task['task_id']}/link")

    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Cache-Control"] == "no-store"
    linked_into = unsure_task["candidate"]["contactpoint_id"]
    assert answer.get_json() == {"task_id": unsure_task["task_id"], "status": "linked", "contactpoint_id": linked_into}
    assert unsure_task["task_id"] not in [t["task_id"] for t in la_team.get("/api/v1/reviews").get_json()["tasks"]]
    assert_refused(la_team.post(f"/api/v1/reviews/{unsure_task['task_id']}/separate"), 409, "review_refused")


def test_keeping_apart_leaves_both_children(la_team, unsure_task):
    answer = la_team.post(f"/api/v1/reviews/{unsure_task['task_id']}/separate")

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "separated"
    assert answer.get_json()["contactpoint_id"] == unsure_task["record"]["contactpoint_id"]
    assert unsure_task["task_id"] not in [t["task_id"] for t in la_team.get("/api/v1/reviews").get_json()["tasks"]]


def test_another_las_team_neither_sees_nor_decides_the_task(other_la_team, unsure_task):
    assert unsure_task["task_id"] not in [t["task_id"] for t in other_la_team.get("/api/v1/reviews").get_json()["tasks"]]
    assert_refused(other_la_team.post(f"/api/v1/reviews/{unsure_task['task_id']}/link"), 403, "not_your_la")
    assert_refused(other_la_team.post(f"/api/v1/reviews/{unsure_task['task_id']}/separate"), 403, "not_your_la")


def test_a_task_that_does_not_exist_is_not_found(la_team):
    assert_refused(la_team.post("/api/v1/reviews/999999999/link"), 404, "not_found")
    assert_refused(la_team.post("/api/v1/reviews/not-a-number/link"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/reviews", "/api/v1/sources"])
def test_only_an_las_contactpoint_team_may_see_the_queue_or_the_sources(practitioner, path):
    assert_refused(practitioner.get(path), 403, "forbidden")


def test_without_a_token_nothing_is_answered(http):
    assert_refused(http.get("/api/v1/reviews"), 401, "not_authenticated")
    assert_refused(http.post("/api/v1/sources", json={"source_id": "a-source", "name": "x", "kinds": ["school"]}), 401, "not_authenticated")


# Sources ----------------------------------------------------------------------------------------


@pytest.fixture
def added_source(la_team, broker_admin):
    """A source the LA's team registers through the API; its broker user is removed afterwards."""
    source_id = unique("portal-src")
    answer = la_team.post("/api/v1/sources", json={"source_id": source_id, "name": "Leeds Youth Service", "kinds": ["connexions", "school"]})
    yield answer
    broker_admin.delete_user(source_id)


def test_a_team_adds_a_source_of_its_own_la_and_sees_its_broker_password_once(la_team, added_source, broker_admin):
    assert added_source.status_code == 201, added_source.get_json()
    added = added_source.get_json()
    assert set(added) == {"source_id", "amqp_password"} and len(added["amqp_password"]) >= 20
    assert broker_admin.user_exists(added["source_id"])

    listed = {s["source_id"]: s for s in la_team.get("/api/v1/sources").get_json()["sources"]}
    assert listed[added["source_id"]] == {
        "source_id": added["source_id"], "name": "Leeds Youth Service", "la_code": "E08000035", "kinds": ["connexions", "school"], "enabled": True,
    }
    assert "amqp_password" not in listed[added["source_id"]]
    assert {s["la_code"] for s in listed.values()} == {"E08000035"}


def test_disabling_a_source_revokes_its_broker_user(la_team, added_source, broker_admin):
    source_id = added_source.get_json()["source_id"]

    answer = la_team.post(f"/api/v1/sources/{source_id}/disable")

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"source_id": source_id, "enabled": False}
    assert not broker_admin.user_exists(source_id)


def test_another_las_team_neither_sees_nor_disables_the_source(other_la_team, added_source, broker_admin):
    source_id = added_source.get_json()["source_id"]

    assert source_id not in [s["source_id"] for s in other_la_team.get("/api/v1/sources").get_json()["sources"]]
    assert_refused(other_la_team.post(f"/api/v1/sources/{source_id}/disable"), 403, "not_your_la")
    assert broker_admin.user_exists(source_id)


@pytest.mark.parametrize(("body", "fault"), [
    pytest.param({"name": "No id", "kinds": ["school"]}, "source_id", id="no id"),
    pytest.param({"source_id": unique("src"), "name": "Bad kind", "kinds": ["case_notes"]}, "kinds", id="an unknown kind"),
    pytest.param({"source_id": unique("src"), "name": "No kinds", "kinds": []}, "kinds", id="no kinds"),
    pytest.param({"source_id": "Has Spaces", "name": "Bad id", "kinds": ["school"]}, "source_id", id="an id the broker cannot take"),
])
def test_a_source_described_wrongly_is_refused_with_the_fault_named(la_team, body, fault):
    answer = la_team.post("/api/v1/sources", json=body)

    assert_refused(answer, 400, "invalid_request")
    assert fault in answer.get_json()["error"]["message"]


def test_a_source_registered_twice_is_a_conflict(la_team, added_source):
    again = la_team.post("/api/v1/sources", json={"source_id": added_source.get_json()["source_id"], "name": "Again", "kinds": ["school"]})

    assert again.status_code == 409, again.get_json()


def test_disabling_a_source_that_does_not_exist_is_not_found(la_team):
    assert_refused(la_team.post(f"/api/v1/sources/{unique('nobody')}/disable"), 404, "not_found")


def test_listing_the_queue_is_audited_with_every_task_and_child_it_showed(services, la_team, unsure_task):
    from sqlalchemy import select

    from services.audit.models import AuditRecord

    children = {unsure_task["record"]["contactpoint_id"], unsure_task["candidate"]["contactpoint_id"]}

    def audited(action: str) -> list[dict]:
        with services["audit"].db.sessions() as session:
            records = select(AuditRecord).where(AuditRecord.action == action, AuditRecord.actor_username == la_team.username)
            return [r.event for r in session.scalars(records)]

    listed = wait_until(lambda: [e for e in audited("reviews_listed") if unsure_task["task_id"] in e["detail"]["task_ids"]],
                        what="the listing in the audit trail")
    viewed = wait_until(lambda: [e for e in audited("review_task_viewed") if e["subject"] == str(unsure_task["task_id"])],
                        what="the task viewed in the audit trail")

    assert children <= set(listed[0]["contactpoint_ids"])
    assert set(viewed[0]["contactpoint_ids"]) == children and viewed[0]["service"] == "feeds"
