"""Single-record disclosure through the portal: a request, a second person's decision, one reading in time; every step audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.audit.models import AuditRecord
from services.disclosure.bootstrap import bootstrap as disclosure_service
from shared.contracts.requests import APPROVE_DISCLOSURE
from tests.support import wait_until

pytestmark = pytest.mark.integration

ORDER = {"ground": "court_order", "reference": "Leeds Family Court FD24P00123"}


@pytest.fixture
def child(held_child, disclosure_holds):
    disclosure_holds(held_child.contactpoint_id)
    return held_child


@pytest.fixture
def approver(sign_in):
    return sign_in("approver")


def ask_for(person, child, **changes) -> dict:
    answer = person.post("/api/v1/disclosures", json={"contactpoint_id": child.contactpoint_id, **ORDER, **changes})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["error"]["code"] == code


def test_a_request_waits_for_a_second_person(practitioner, child):
    asked = ask_for(practitioner, child)

    assert asked["status"] == "pending" and asked["requested_by"] == practitioner.username
    assert asked["ground"] == "court_order" and asked["decided_by"] is None
    listed = practitioner.get("/api/v1/disclosures").get_json()["requests"]
    assert [r["request_id"] for r in listed if r["request_id"] == asked["request_id"]] == [asked["request_id"]]


def test_an_approvers_queue_says_who_each_request_is_about_and_that_look_is_audited(services, practitioner, approver, child):
    asked = ask_for(practitioner, child)

    queue = approver.get("/api/v1/disclosures", status="pending").get_json()["requests"]
    [listed] = [r for r in queue if r["request_id"] == asked["request_id"]]
    assert listed["child"]["family_name"] == child.message["child"]["family_name"]
    assert listed["child"]["date_of_birth"] == child.message["child"]["date_of_birth"]
    assert (listed["ground"], listed["reference"]) == (ORDER["ground"], ORDER["reference"])
    assert [r["child"] for r in practitioner.get("/api/v1/disclosures").get_json()["requests"]] == [None]

    def identified():
        with services["audit"].db.sessions() as session:
            return [r.event for r in session.scalars(select(AuditRecord).where(AuditRecord.action == "identify"))
                    if r.event["actor"]["username"] == approver.username] or None

    [look] = wait_until(identified, what="the approver's look at who the requests are about in the trail")
    assert child.contactpoint_id in look["contactpoint_ids"] and look["service"] == "directory"


def test_a_requester_cannot_approve_their_own_request(approver, child):
    asked = ask_for(approver, child)

    refused(approver.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={}), 403, "own_request")
    refused(approver.post(f"/api/v1/disclosures/{asked['request_id']}/refuse", json={"reason": "mine"}), 403, "own_request")
    refused(approver.get(f"/api/v1/disclosures/{asked['request_id']}/record"), 403, "disclosure_pending")


def test_only_an_approver_decides(practitioner, sign_in, child):
    asked = ask_for(practitioner, child)
    colleague = sign_in("practitioner")

    refused(colleague.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={}), 403, "approvers_only")


def test_an_unapproved_request_reads_nothing(practitioner, child):
    asked = ask_for(practitioner, child)

    answer = practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record")

    refused(answer, 403, "disclosure_pending")
    assert child.message["child"]["family_name"] not in answer.get_data(as_text=True)


def test_a_refused_request_reads_nothing(practitioner, approver, child):
    asked = ask_for(practitioner, child)

    decided = approver.post(f"/api/v1/disclosures/{asked['request_id']}/refuse", json={"reason": "the order names another child"})

    assert decided.status_code == 200 and decided.get_json()["status"] == "refused"
    refused(practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record"), 403, "disclosure_refused")
    refused(approver.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={}), 409, "already_decided")


def test_an_approved_request_reads_the_record_once(practitioner, approver, child):
    asked = ask_for(practitioner, child)
    decided = approver.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={"reason": "order seen"}).get_json()
    assert decided["status"] == "approved" and decided["decided_by"] == approver.username and decided["readable_until"]

    answer = practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record")

    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Cache-Control"] == "no-store"
    disclosed = answer.get_json()
    assert disclosed["record"]["contactpoint_id"] == child.contactpoint_id
    assert disclosed["record"]["demographics"]["family_name"] == child.message["child"]["family_name"]
    assert disclosed["request"]["status"] == "read"
    refused(practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record"), 403, "disclosure_read")


def test_only_the_requester_reads_what_was_approved(practitioner, approver, sign_in, child):
    asked = ask_for(practitioner, child)
    approver.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={})

    refused(sign_in("practitioner").get(f"/api/v1/disclosures/{asked['request_id']}/record"), 403, "not_your_request")
    refused(approver.get(f"/api/v1/disclosures/{asked['request_id']}/record"), 403, "not_your_request")


def test_an_expired_approval_reads_nothing(migrated, practitioner, approver, child):
    asked = ask_for(practitioner, child)
    # An approval made where the time to read is nothing: expired as soon as it is given.
    with_no_time = disclosure_service(migrated.but(disclosure_read_seconds=0))
    try:
        with_no_time.perform(APPROVE_DISCLOSURE, {"actor": {**approver_actor(approver)}, "request_id": asked["request_id"]})
    finally:
        with_no_time.close()

    answer = practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record")

    refused(answer, 403, "disclosure_expired")
    assert child.message["child"]["family_name"] not in answer.get_data(as_text=True)
    statuses = {r["request_id"]: r["status"] for r in practitioner.get("/api/v1/disclosures", status="expired").get_json()["requests"]}
    assert statuses == {asked["request_id"]: "expired"}


def test_a_child_not_held_cannot_be_asked_for(practitioner, services):
    answer = practitioner.post("/api/v1/disclosures", json={"contactpoint_id": "CP-00000-00000-00000-00000", **ORDER})

    refused(answer, 404, "not_found")


def test_a_ground_other_than_a_court_order_or_crime_prevention_is_refused(practitioner, child):
    answer = practitioner.post("/api/v1/disclosures", json={"contactpoint_id": child.contactpoint_id, "ground": "curiosity", "reference": "x"})

    refused(answer, 400, "invalid_request")


def test_an_auditor_cannot_ask_for_a_record(auditor, child):
    refused(auditor.post("/api/v1/disclosures", json={"contactpoint_id": child.contactpoint_id, **ORDER}), 403, "forbidden")


def test_every_step_is_audited(services, practitioner, approver, child):
    asked = ask_for(practitioner, child)
    approver.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={})
    practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record")
    practitioner.get(f"/api/v1/disclosures/{asked['request_id']}/record")

    def trail():
        with services["audit"].db.sessions() as session:
            events = [r.event for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
        steps = [(e["service"], e["action"], e["outcome"], e["actor"]["username"]) for e in events
                 if e.get("detail", {}).get("request_id") == asked["request_id"]]
        return steps if len(steps) >= 5 else None

    steps = wait_until(trail, what="the disclosure's audit trail")
    assert sorted(steps) == sorted([
        ("disclosure", "request", "success", practitioner.username),
        ("disclosure", "approve", "success", approver.username),
        ("directory", "disclose", "success", practitioner.username),
        ("disclosure", "read", "success", practitioner.username),
        ("disclosure", "read", "refused", practitioner.username),
    ])


def approver_actor(person) -> dict:
    from services.identity.categories import CATEGORIES
    from tests.integration.services.conftest import CATEGORY_OF, LA_CODE

    category = CATEGORY_OF["approver"]
    return {"username": person.username, "la_code": LA_CODE, "role": "approver", "category": category,
            "sees_sensitive": CATEGORIES[category].sees_sensitive}


def test_an_approver_the_requesters_own_creator_made_within_30_days_is_refused_as_a_stand_in(services, sign_in, child):
    """An la_admin may no longer make an approver; accounts one made before that rule (as their rows still say) hold it."""
    from services.identity.models import User
    from sqlalchemy import update

    admin = sign_in("la_admin")
    requester, stand_in = sign_in("practitioner"), sign_in("approver")
    with services["identity"].db.sessions() as session:
        session.execute(update(User).where(User.username.in_([requester.username, stand_in.username])).values(created_by=admin.username))
        session.commit()
    requester, stand_in = (sign_in_again(person) for person in (requester, stand_in))

    asked = ask_for(requester, child)

    refused(stand_in.post(f"/api/v1/disclosures/{asked['request_id']}/approve", json={}), 403, "same_creator")
    refused(stand_in.post(f"/api/v1/disclosures/{asked['request_id']}/refuse", json={"reason": "x"}), 403, "same_creator")


def sign_in_again(person):
    """The same person signed in anew, with the code of the next time step (identity allows one step of drift; this one's
    code signed them in first): their new token says what their account's row says now."""
    import time
    from dataclasses import replace

    import pyotp

    answer = person.http.post("/api/v1/auth/login", json={"username": person.username, "password": person.account.password,
                                                          "otp": pyotp.TOTP(person.account.totp_secret).at(time.time() + 30)})
    assert answer.status_code == 200, answer.get_json()
    return replace(person, token=answer.get_json()["access_token"])
