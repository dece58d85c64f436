"""Shielding end to end, through the portal's API over the real broker: a source's word or the LA ContactPoint team's decision
shields a child; the search and the record then give nothing that locates them; every read raises an alert to the child's
LA; and only that LA's team lifts it."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from services.audit.models import Alert, AuditRecord
from services.directory.models import Child
from tests.integration.services.builders import a_feed_message
from tests.integration.services.conftest import LA_CODE, OTHER_LA, SignedIn
from tests.support import wait_until

pytestmark = pytest.mark.integration

TEAM = {"name": "Leeds ContactPoint team", "phone": "0113 496 0999", "email": "contactpoint@leeds.example.org"}


def assert_refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["error"]["code"] == code


def held_shielded(services, contactpoint_id: str, shielded: bool = True) -> None:
    def as_wanted() -> bool:
        with services["directory"].db.sessions() as session:
            child = session.get(Child, contactpoint_id)
            return child is not None and child.shielded is shielded

    wait_until(as_wanted, what=f"the directory to hold {contactpoint_id} {'shielded' if shielded else 'unshielded'}")


def audited(services, action: str, contactpoint_id: str) -> list[dict]:
    def found():
        with services["audit"].db.sessions() as session:
            return [r.event for r in session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq))
                    if r.event.get("subject") == contactpoint_id]

    return wait_until(found, what=f"{action} of {contactpoint_id} in the audit store")


@pytest.fixture
def shielded_by_its_source(services, source) -> tuple[str, dict]:
    message = a_feed_message()
    message["child"]["shielded"] = True
    told = source.feedback_about(source.publish(message))
    assert told["outcome"] == "accepted", told
    held_shielded(services, told["contactpoint_id"])
    return told["contactpoint_id"], message


def test_a_sources_shielding_flag_shields_the_child_and_is_audited(services, shielded_by_its_source):
    contactpoint_id, _ = shielded_by_its_source

    (event,) = audited(services, "child_shielded", contactpoint_id)
    assert event["detail"]["by"] == "source" and event["la_code"] == LA_CODE


def test_the_la_teams_decision_shields_a_child_with_its_reason_in_the_audit_trail(services, la_team, held_child):
    answer = la_team.post(f"/api/v1/children/{held_child.contactpoint_id}/shield", json={"reason": "moved to a refuge"})

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"contactpoint_id": held_child.contactpoint_id, "shielded": True, "changed": True}
    held_shielded(services, held_child.contactpoint_id)
    (event,) = audited(services, "child_shielded", held_child.contactpoint_id)
    assert (event["detail"]["by"], event["detail"]["reason"], event["actor"]["username"]) == ("la_team", "moved to a refuge", la_team.username)


def test_a_shielded_childs_score_is_the_same_for_the_right_postcode_and_a_wrong_one(practitioner, shielded_by_its_source):
    contactpoint_id, message = shielded_by_its_source
    child = message["child"]

    def score_with(postcode: str) -> list[dict]:
        answer = practitioner.get("/api/v1/children/search", purpose="safeguarding", family_name=child["family_name"],
                                  given_name=child["given_names"][0], date_of_birth=child["date_of_birth"], postcode=postcode)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["results"]

    (at_home,), (elsewhere,) = score_with(child["address"]["postcode"]), score_with("M1 1AE")

    assert at_home == elsewhere
    assert at_home["contactpoint_id"] == contactpoint_id and at_home["postcode_district"] is None


def test_a_shielded_record_withholds_all_that_locates_the_child_and_gives_the_la_teams_contact(
        practitioner, la_team, shielded_by_its_source):
    contactpoint_id, message = shielded_by_its_source
    assert la_team.http.put("/api/v1/la-team", json=TEAM, headers=la_team.headers).status_code == 200

    answer = practitioner.get(f"/api/v1/children/{contactpoint_id}", purpose="safeguarding")

    assert answer.status_code == 200, answer.get_json()
    record = answer.get_json()
    assert record["shielded"] is True
    assert record["demographics"]["address"] is None
    assert [carer["phone"] for carer in record["carers"]] == [None]
    (involvement,) = record["involvements"]
    assert (involvement["service"], involvement["organisation"], involvement["practitioner"]) == ("school", None, None)
    assert record["la_team"] == {"la_code": LA_CODE, **TEAM}
    assert TEAM["phone"] in record["notice"]
    assert {item["kind"]: item["count"] for item in record["withheld"]} == {"address": 1, "carer_contact": 1, "organisation": 1, "practitioner": 1}
    text = str(record)
    for located_by in (message["child"]["address"]["postcode"], "High Street", "0113 496 0000", "Leeds Test School", "Sam Teacher", "sam.teacher"):
        assert located_by not in text


def test_a_read_of_a_shielded_record_raises_an_alert_to_the_childs_la(services, other_la_reader, shielded_by_its_source):
    contactpoint_id, _ = shielded_by_its_source

    assert other_la_reader.get(f"/api/v1/children/{contactpoint_id}", purpose="safeguarding").status_code == 200

    def alerted():
        with services["audit"].db.sessions() as session:
            return session.scalars(select(Alert).where(Alert.rule == "shielded_record", Alert.contactpoint_id == contactpoint_id)).all()

    (alert,) = wait_until(alerted, what="the shielded_record alert")
    assert (alert.la_code, alert.actor_username) == (LA_CODE, other_la_reader.username)


@pytest.fixture
def other_la_reader(sign_in) -> SignedIn:
    return sign_in("practitioner", la_code=OTHER_LA)


def test_no_one_but_the_childs_la_team_lifts_a_shielding(services, practitioner, sign_in, other_la_team, la_team, shielded_by_its_source):
    contactpoint_id, _ = shielded_by_its_source
    path = f"/api/v1/children/{contactpoint_id}/unshield"

    assert_refused(practitioner.post(path, json={"reason": "I need the address"}), 403, "forbidden")
    assert_refused(sign_in("approver").post(path, json={"reason": "I approve"}), 403, "forbidden")
    assert_refused(other_la_team.post(path, json={"reason": "not ours"}), 403, "not_your_la")
    held_shielded(services, contactpoint_id)

    lifted = la_team.post(path, json={"reason": "the risk has passed"})

    assert lifted.status_code == 200, lifted.get_json()
    held_shielded(services, contactpoint_id, shielded=False)
    (event,) = audited(services, "child_unshielded", contactpoint_id)
    assert event["detail"]["reason"] == "the risk has passed"


def test_a_shielding_stays_when_the_source_no_longer_says_so(services, source, shielded_by_its_source):
    contactpoint_id, message = shielded_by_its_source
    later = {**message, "sequence": message["sequence"] + 1, "child": {**message["child"], "shielded": False}}

    told = source.feedback_about(source.publish(later))

    assert told["outcome"] == "accepted" and told["contactpoint_id"] == contactpoint_id

    def newer_held() -> bool:
        with services["directory"].db.sessions() as session:
            child = session.get(Child, contactpoint_id)
            return child.version > 1 and child
    assert wait_until(newer_held, what="the newer version held").shielded is True


def test_a_practitioner_asking_to_shield_is_refused_and_audited(services, practitioner, held_child):
    before = len(audited_refusals(services, "feeds.shield_child"))

    answer = practitioner.post(f"/api/v1/children/{held_child.contactpoint_id}/shield", json={"reason": "just because"})

    assert_refused(answer, 403, "forbidden")
    wait_until(lambda: len(audited_refusals(services, "feeds.shield_child")) > before, what="the refused request in the audit store")


def audited_refusals(services, routing_key: str) -> list[dict]:
    with services["audit"].db.sessions() as session:
        return [r.event for r in session.scalars(select(AuditRecord).where(AuditRecord.action == "request_refused"))
                if r.event.get("subject") == routing_key]


def test_the_command_line_shields_and_unshields_a_child_and_sets_the_la_teams_contact(services, migrated, practitioner, held_child):
    from click.testing import CliRunner

    from contactpoint.cli import cli

    def run(*args: str) -> dict:
        import json

        done = CliRunner().invoke(cli, [*args, "--json"], env=migrated.as_environment(), catch_exceptions=False)
        assert done.exit_code == 0, done.output
        return json.loads(done.output)

    assert run("directory", "la-team", "--la", LA_CODE, "--name", TEAM["name"], "--phone", TEAM["phone"], "--email", TEAM["email"]) == \
        {"la_code": LA_CODE, **TEAM}
    assert run("shield", held_child.contactpoint_id, "--reason", "new identity")["shielded"] is True
    held_shielded(services, held_child.contactpoint_id)
    record = practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding").get_json()
    assert record["la_team"] == {"la_code": LA_CODE, **TEAM} and record["demographics"]["address"] is None

    assert run("unshield", held_child.contactpoint_id, "--reason", "risk assessed as passed")["shielded"] is False
    held_shielded(services, held_child.contactpoint_id, shielded=False)
    (event,) = audited(services, "child_unshielded", held_child.contactpoint_id)
    assert event["detail"]["reason"] == "risk assessed as passed" and event["actor"]["role"] == "operator"
    assert event["la_code"] == LA_CODE


def test_a_shielding_without_a_reason_is_refused_in_one_line(migrated, held_child):
    from click.testing import CliRunner

    from contactpoint.cli import cli

    done = CliRunner().invoke(cli, ["shield", held_child.contactpoint_id], env=migrated.as_environment())

    assert done.exit_code != 0 and "--reason" in done.output
