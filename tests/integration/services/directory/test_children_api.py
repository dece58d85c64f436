"""Finding and reading children through the portal's API, answered by the directory over the real broker."""
import pytest

from tests.integration.services.builders import a_feed_message
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration


def assert_refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert set(error) - {"field"} == {"code", "message"} and error["code"] == code and error["message"]


def test_a_search_without_a_purpose_is_refused(practitioner, held_child):
    answer = practitioner.get("/api/v1/children/search", identifier=held_child.nhs_number)

    assert_refused(answer, 400, "purpose_not_allowed")


def test_a_search_for_a_purpose_not_allowed_is_refused(practitioner, held_child):
    answer = practitioner.get("/api/v1/children/search", identifier=held_child.nhs_number, purpose="enforcement")

    assert_refused(answer, 400, "purpose_not_allowed")


@pytest.mark.parametrize("criteria", [
    pytest.param(lambda child: {"family_name": child["family_name"]}, id="a family name alone"),
    pytest.param(lambda child: {"postcode": child["address"]["postcode"]}, id="a postcode alone"),
    pytest.param(lambda child: {"family_name": child["family_name"][:4] + "*", "date_of_birth": child["date_of_birth"]}, id="a wildcard"),
    pytest.param(lambda child: {}, id="nothing"),
])
def test_criteria_too_weak_to_identify_one_child_are_refused(practitioner, held_child, criteria):
    answer = practitioner.get("/api/v1/children/search", purpose="safeguarding", **criteria(held_child.message["child"]))

    assert_refused(answer, 400, "criteria_too_weak")


def test_a_search_finds_the_child_and_is_not_kept(practitioner, held_child):
    child = held_child.message["child"]

    answer = practitioner.get(
        "/api/v1/children/search", purpose="wellbeing", family_name=child["family_name"], date_of_birth=child["date_of_birth"],
    )

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    (found,) = answer.get_json()["results"]
    assert found["contactpoint_id"] == held_child.contactpoint_id
    assert found["postcode_district"] == "LS1"


def test_a_record_says_who_works_with_the_child_and_is_not_kept(practitioner, held_child):
    answer = practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding")

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    record = answer.get_json()
    assert record["contactpoint_id"] == held_child.contactpoint_id
    assert record["demographics"]["family_name"] == held_child.message["child"]["family_name"]
    assert [i["practitioner"]["name"] for i in record["involvements"]] == ["Sam Teacher"]
    assert "source_records" not in record


def test_reading_a_record_without_a_purpose_is_refused(practitioner, held_child):
    assert_refused(practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}"), 400, "purpose_not_allowed")


def test_an_auditor_sees_no_child(auditor, held_child):
    assert_refused(auditor.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding"), 403, "forbidden")
    assert_refused(auditor.get("/api/v1/children/search", identifier=held_child.nhs_number, purpose="safeguarding"), 403, "forbidden")


def test_without_a_token_no_child_is_answered(http, held_child):
    answer = http.get(f"/api/v1/children/{held_child.contactpoint_id}", query_string={"purpose": "safeguarding"})

    assert_refused(answer, 401, "not_authenticated")


def test_after_logout_the_token_finds_and_reads_no_child(practitioner, held_child):
    # The portal checks only the token's signature and expiry for these two: the directory finds the session ended.
    assert practitioner.post("/api/v1/auth/logout").status_code == 204

    assert_refused(practitioner.get("/api/v1/children/search", identifier=held_child.nhs_number, purpose="safeguarding"),
                   401, "not_authenticated")
    assert_refused(practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding"), 401, "not_authenticated")


def test_a_child_the_directory_does_not_hold_is_not_found(practitioner):
    assert_refused(practitioner.get("/api/v1/children/CP-00000-00000-00000-00000", purpose="safeguarding"), 404, "not_found")


@pytest.mark.parametrize("profiling", [{"service": "mental_health"}, {"involvement": "youth_offending"}, {"la_code": "E08000035"}])
def test_a_search_by_anything_but_identifying_details_is_refused_not_ignored(practitioner, held_child, profiling):
    child = held_child.message["child"]

    answer = practitioner.get("/api/v1/children/search", purpose="safeguarding", family_name=child["family_name"],
                              date_of_birth=child["date_of_birth"], **profiling)

    assert_refused(answer, 400, "invalid_request")


def test_a_refusal_of_weak_criteria_says_what_to_add(practitioner, held_child):
    answer = practitioner.get("/api/v1/children/search", purpose="safeguarding", family_name=held_child.message["child"]["family_name"])

    assert_refused(answer, 400, "criteria_too_weak")
    assert "add date of birth" in answer.get_json()["error"]["message"]


# Reads of a child of another LA ------------------------------------------------------------------

OTHER_LA = "E08000032"


def accepted(source, message: dict) -> str:
    told = source.feedback_about(source.publish(message))
    assert told["outcome"] == "accepted", told
    return told["contactpoint_id"]


def wait_until_held(services, contactpoint_id: str, la_code: str, involvements: int) -> None:
    from services.directory.models import Child

    def held() -> bool:
        with services["directory"].db.sessions() as session:
            child = session.get(Child, contactpoint_id)
            return child is not None and child.la_code == la_code and len(child.record["involvements"]) == involvements

    wait_until(held, what=f"the directory to hold {contactpoint_id} of {la_code} with {involvements} involvements")


def outside_la_alerts_about(auditor, username: str) -> set[str]:
    about, after_id = set(), None
    while True:
        query = {"rule": "outside_la"} | ({"after_id": after_id} if after_id else {})
        answer = auditor.get("/api/v1/audit/alerts", **query).get_json()
        about |= {alert["contactpoint_id"] for alert in answer["alerts"] if alert["actor"] == username}
        if (after_id := answer["next_after_id"]) is None:
            return about


def test_a_read_of_a_child_of_another_la_says_whether_the_readers_la_works_with_the_child(
        services, practitioner, auditor, source, register_source):
    elsewhere = register_source(la_code=OTHER_LA)
    shared_message = a_feed_message()
    shared = accepted(source, shared_message)
    assert accepted(elsewhere, {**shared_message, "source_record_id": unique("REC")}) == shared
    stranger = accepted(elsewhere, a_feed_message())
    wait_until_held(services, shared, OTHER_LA, involvements=2)
    wait_until_held(services, stranger, OTHER_LA, involvements=1)

    for child in (shared, stranger):
        assert practitioner.get(f"/api/v1/children/{child}", purpose="safeguarding").status_code == 200

    def both_reads() -> dict | None:
        answer = auditor.get("/api/v1/audit/events", actor=practitioner.username, action="read").get_json()
        reads = {event["subject"]: event["detail"] for event in answer["events"]}
        return reads if len(reads) == 2 else None

    reads = wait_until(both_reads, what="both reads in the audit trail")
    assert reads[shared] == {"child_la_code": OTHER_LA, "shielded": False, "actor_involved": True}
    assert reads[stranger] == {"child_la_code": OTHER_LA, "shielded": False, "actor_involved": False}
    # An event's alerts are stored with it: once both reads are in the trail, so is any alert they raised.
    assert outside_la_alerts_about(auditor, practitioner.username) == {stranger}


def test_a_reader_is_told_what_is_withheld_from_them(services, http, log_in, register_source):
    from services.directory.models import Child
    from tests.integration.services.conftest import an_enrolled_account

    clinic = register_source(("mental_health",))
    told = clinic.feedback_about(clinic.publish(a_feed_message(service="mental_health")))
    assert told["outcome"] == "accepted", told

    def held() -> bool:
        with services["directory"].db.sessions() as session:
            return session.get(Child, told["contactpoint_id"]) is not None

    wait_until(held, what="the directory to hold the child")
    teacher = an_enrolled_account(services["identity"], category="teacher")
    token = log_in(teacher).get_json()["access_token"]

    answer = http.get(f"/api/v1/children/{told['contactpoint_id']}", query_string={"purpose": "safeguarding"},
                      headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200, answer.get_json()
    record = answer.get_json()
    assert record["involvements"] == []
    assert record["withheld"] == [{"kind": "sensitive_involvement", "count": 1,
                                   "message": "1 involvement with a sensitive service is not shown to your role"}]


def test_a_record_with_nothing_withheld_says_so(practitioner, held_child):
    answer = practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding")

    assert answer.get_json()["withheld"] == []


def refused_reads(services, contactpoint_id: str) -> list[dict]:
    from sqlalchemy import select

    from services.audit.models import AuditRecord

    with services["audit"].db.sessions() as session:
        return [r.event for r in session.scalars(select(AuditRecord).where(AuditRecord.action == "read"))
                if r.event["outcome"] == "refused" and r.event.get("subject") == contactpoint_id]


@pytest.mark.parametrize("purpose", [None, "enforcement"], ids=["no purpose", "a purpose not allowed"])
def test_a_read_refused_for_its_purpose_is_audited(services, practitioner, held_child, purpose):
    query = {"purpose": purpose} if purpose else {}

    assert practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", **query).status_code == 400

    (event,) = wait_until(lambda: refused_reads(services, held_child.contactpoint_id), what="the refused read in the audit trail")
    assert event["actor"]["username"] == practitioner.username
    assert event["detail"]["refusal"]["code"] == "purpose_not_allowed"


def test_a_read_of_an_unknown_child_is_audited(services, practitioner):
    unknown = unique("CP-NOBODY")

    assert practitioner.get(f"/api/v1/children/{unknown}", purpose="safeguarding").status_code == 404

    (event,) = wait_until(lambda: refused_reads(services, unknown), what="the refused read in the audit trail")
    assert event["actor"]["username"] == practitioner.username and event["purpose"] == "safeguarding"


def test_a_read_of_a_child_no_longer_held_is_audited(services, practitioner, held_child, source):
    from services.directory.models import Child

    removal = {"schema": "contactpoint.feed.v1", "source_record_id": held_child.message["source_record_id"], "sequence": 2, "action": "remove"}
    assert source.feedback_about(source.publish(removal))["outcome"] == "accepted"

    def inactive() -> bool:
        with services["directory"].db.sessions() as session:
            child = session.get(Child, held_child.contactpoint_id)
            return child is None or not child.active

    wait_until(inactive, what="the directory to hold the child no longer")
    assert practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding").status_code == 404

    (event,) = wait_until(lambda: refused_reads(services, held_child.contactpoint_id), what="the refused read in the audit trail")
    assert event["actor"]["username"] == practitioner.username and event["detail"]["refusal"]["code"] == "not_found"
