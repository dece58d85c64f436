"""The audit trail through the portal's API: every search and read is recorded, and only auditors read the trail."""
import pytest

from tests.support import wait_until

pytestmark = pytest.mark.integration


def events_of(auditor, username: str, **filters) -> list[dict]:
    answer = auditor.get("/api/v1/audit/events", actor=username, **filters)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["events"]


def test_a_practitioners_search_and_read_are_in_the_trail_an_auditor_reads(practitioner, auditor, held_child):
    assert practitioner.get("/api/v1/children/search", identifier=held_child.nhs_number, purpose="safeguarding").status_code == 200
    assert practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="wellbeing").status_code == 200

    def searched_and_read():
        events = {event["action"]: event for event in events_of(auditor, practitioner.username)}
        return events if {"search", "read"} <= events.keys() else None

    events = wait_until(searched_and_read, what="the search and the read to be in the audit trail")
    search, read = events["search"], events["read"]
    assert search["actor"]["username"] == read["actor"]["username"] == practitioner.username
    assert (search["service"], search["purpose"], search["outcome"]) == ("directory", "safeguarding", "success")
    assert search["contactpoint_ids"] == [held_child.contactpoint_id]
    assert search["criteria"] == {"identifier": held_child.nhs_number}
    assert (read["purpose"], read["subject"]) == ("wellbeing", held_child.contactpoint_id)
    assert read["contactpoint_ids"] == [held_child.contactpoint_id]


def test_a_refused_search_is_in_the_trail_too(practitioner, auditor):
    assert practitioner.get("/api/v1/children/search", family_name="Smith", purpose="safeguarding").status_code == 400

    (refused,) = wait_until(lambda: events_of(auditor, practitioner.username, action="search"), what="the refused search in the trail")

    assert refused["outcome"] == "refused" and refused["detail"]["code"] == "criteria_too_weak"


def test_the_trail_is_filtered_by_actor(practitioner, auditor, sign_in, held_child):
    other = sign_in("practitioner")
    assert other.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding").status_code == 200
    assert practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding").status_code == 200

    wait_until(lambda: events_of(auditor, practitioner.username, action="read"), what="the read in the trail")
    wait_until(lambda: events_of(auditor, other.username, action="read"), what="the other read in the trail")

    assert {e["actor"]["username"] for e in events_of(auditor, practitioner.username)} == {practitioner.username}


def test_a_practitioner_may_not_read_the_trail(practitioner):
    answer = practitioner.get("/api/v1/audit/events", actor=practitioner.username)

    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"


def test_an_auditor_gets_no_child_record(auditor, held_child):
    answer = auditor.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose="safeguarding")

    assert answer.status_code == 403
    assert set(answer.get_json()["error"]) - {"field"} == {"code", "message"}
    assert "demographics" not in answer.get_json()


def test_the_trail_reads_newest_first_a_page_at_a_time_back_to_the_oldest(practitioner, auditor, held_child):
    for purpose in ("safeguarding", "wellbeing", "safeguarding"):
        assert practitioner.get(f"/api/v1/children/{held_child.contactpoint_id}", purpose=purpose).status_code == 200
    oldest_first = wait_until(lambda: (lambda events: events if len(events) == 3 else None)(
        events_of(auditor, practitioner.username, action="read")), what="the three reads in the trail")

    pages, before = [], None
    while True:
        answer = auditor.get("/api/v1/audit/events", actor=practitioner.username, action="read", order="newest", limit=2,
                             **({"before_seq": before} if before else {}))
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        pages.append([event["seq"] for event in page["events"]])
        assert page["next_after_seq"] is None
        before = page["next_before_seq"]
        if before is None:
            break

    assert pages == [[oldest_first[2]["seq"], oldest_first[1]["seq"]], [oldest_first[0]["seq"]]]
