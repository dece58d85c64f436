"""Unsure matches go to people: a review task holds the record as a child of its own until a person links or separates it;
a wrong link is split and rebuilt from the sources."""
from __future__ import annotations

import copy

import pytest

from services.feeds.errors import ReviewRefused
from services.feeds.reviews import link_review, list_reviews, separate_review, split_record
from services.feeds.models import LinkedChild, ReviewTask, SourceRecord
from shared.contracts.children import ChildMergedSchema
from tests.unit.services.feeds.feeding import BODY, body, merged_of, receive, unsure_match

TEAM = {"username": "la-team", "role": "la_admin", "la_code": "E08000035"}


def snapshots(uow) -> dict[str, dict]:
    return {merged["contactpoint_id"]: merged for merged in map(merged_of_one, uow.emitted) if merged}


def merged_of_one(envelope) -> dict | None:
    return envelope.body if envelope.routing_key == "feeds.child.merged" else None


def test_an_unsure_match_is_held_as_its_own_child_marked_as_a_possible_duplicate(uow, task):
    held = merged_of(uow.emitted)

    assert held["contactpoint_id"] == task.contactpoint_id != task.candidate_id
    assert held["possible_duplicate_of"] == [task.candidate_id]
    assert task.status == "open"
    ChildMergedSchema().load(held)


def test_the_review_queue_shows_both_children_side_by_side(uow, task):
    [listed] = list_reviews(uow, {"actor": TEAM})

    assert listed["task_id"] == task.task_id
    assert listed["record"]["source_records"] == [["school-mis", "UPN-9"]]
    assert listed["candidate"]["source_records"] == [["yot-leeds", "YOT-000123"]]
    assert listed["record"]["demographics"]["address"]["postcode"] == "YO1 7HH"


def test_linking_joins_the_record_to_the_candidate_and_retires_the_duplicate(uow, task):
    uow.emitted.clear()
    link_review(uow, {"task_id": task.task_id, "actor": TEAM})

    published = snapshots(uow)
    kept, gone = published[task.candidate_id], published[task.contactpoint_id]
    assert sorted(kept["source_records"]) == [["school-mis", "UPN-9"], ["yot-leeds", "YOT-000123"]]
    assert kept["possible_duplicate_of"] == [] and kept["active"] is True
    assert (gone["active"], gone["merged_into"], gone["source_records"]) == (False, task.candidate_id, [])
    ChildMergedSchema().load(gone)
    assert uow.session.get(SourceRecord, ("school-mis", "UPN-9")).linked_by == "la-team"
    assert task.status == "linked"


def test_a_person_decision_is_never_changed_by_the_system(uow, task):
    separate_review(uow, {"task_id": task.task_id, "actor": TEAM})
    receive(uow, unsure_match(family_name="Smith"), source_id="school-mis", kind="record", message_id="m-3")
    update = copy.deepcopy(unsure_match()) | {"sequence": 18}

    receive(uow, update, source_id="school-mis", kind="record", message_id="m-4")

    record = uow.session.get(SourceRecord, ("school-mis", "UPN-9"))
    assert (record.contactpoint_id, record.linked_by) == (task.contactpoint_id, "la-team")
    with pytest.raises(ReviewRefused, match="already decided"):
        link_review(uow, {"task_id": task.task_id, "actor": TEAM})


def test_children_whose_verified_identifiers_differ_are_never_linked_even_by_a_person(uow):
    receive(uow, body())
    other = unsure_match(identifiers={"nhs_number": "4010232137"})
    receive(uow, other, source_id="school-mis", kind="record", message_id="m-2")
    task = ReviewTask(contactpoint_id=uow.session.get(SourceRecord, ("school-mis", "UPN-9")).contactpoint_id,
                      candidate_id=uow.session.get(SourceRecord, ("yot-leeds", "YOT-000123")).contactpoint_id, weight=20.0, status="open")
    uow.session.add(task)
    uow.session.flush()

    with pytest.raises(ReviewRefused, match="verified identifiers differ"):
        link_review(uow, {"task_id": task.task_id, "actor": TEAM})


def test_a_wrong_link_is_split_and_both_children_rebuilt_from_their_sources(uow):
    first = merged_of(receive(uow, body()))
    school = body(source_record_id="UPN-9", involvement=None, child=BODY["child"] | {"family_name": "Smyth"})
    receive(uow, school, source_id="school-mis", kind="record", message_id="m-2")
    uow.emitted.clear()

    split = split_record(uow, {"source_id": "school-mis", "source_record_id": "UPN-9", "actor": TEAM})

    published = snapshots(uow)
    left, alone = published[first["contactpoint_id"]], published[split["contactpoint_id"]]
    assert left["source_records"] == [["yot-leeds", "YOT-000123"]]
    assert alone["source_records"] == [["school-mis", "UPN-9"]] and alone["demographics"]["family_name"] == "Smyth"
    assert uow.session.get(LinkedChild, split["contactpoint_id"]).version == 1


def test_a_record_that_is_its_childs_only_one_is_not_split(uow):
    first = merged_of(receive(uow, body()))

    with pytest.raises(ReviewRefused, match="only record"):
        split_record(uow, {"source_id": "yot-leeds", "source_record_id": "YOT-000123", "actor": TEAM})

    assert uow.session.get(SourceRecord, ("yot-leeds", "YOT-000123")).contactpoint_id == first["contactpoint_id"]
