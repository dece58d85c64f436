"""An LA's ContactPoint team reviews the matches and manages the sources of its own LA; an operator those of every LA."""
from __future__ import annotations

import pytest

from services.feeds.errors import NotYourLA
from services.feeds.reviews import link_review, list_reviews, separate_review
from services.feeds.sources import list_sources
from services.feeds.models import ReviewTask, Source
from tests.unit.services.feeds.feeding import body, receive, unsure_match

LEEDS, YORK = "E08000035", "E06000014"
LEEDS_TEAM = {"username": "leeds-team", "role": "la_admin", "la_code": LEEDS}
YORK_TEAM = {"username": "york-team", "role": "la_admin", "la_code": YORK}
OPERATOR = {"username": "cli:ops", "role": "operator", "la_code": "national"}


def test_a_team_sees_the_tasks_of_children_its_sources_hold_and_no_other(uow, task):
    assert [t["task_id"] for t in list_reviews(uow, {"actor": LEEDS_TEAM})] == [task.task_id]
    assert list_reviews(uow, {"actor": YORK_TEAM}) == []
    assert [t["task_id"] for t in list_reviews(uow, {"actor": OPERATOR})] == [task.task_id]


@pytest.mark.parametrize("decide", [link_review, separate_review])
def test_another_las_team_may_not_decide_a_task(uow, task, decide):
    with pytest.raises(NotYourLA):
        decide(uow, {"task_id": task.task_id, "actor": YORK_TEAM})

    assert task.status == "open"


def test_a_task_is_shared_by_every_la_whose_sources_hold_either_child(uow):
    uow.session.add(Source(source_id="york-school", name="York school", la_code=YORK, kinds=["school"], enabled=True))
    receive(uow, body())
    receive(uow, unsure_match(), source_id="york-school", kind="school", message_id="m-2")
    [task] = uow.session.query(ReviewTask).all()

    assert [t["task_id"] for t in list_reviews(uow, {"actor": YORK_TEAM})] == [task.task_id]
    assert link_review(uow, {"task_id": task.task_id, "actor": LEEDS_TEAM})["status"] == "linked"


def test_a_team_lists_its_own_las_sources_and_an_operator_every_source(uow):
    uow.session.add(Source(source_id="york-school", name="York school", la_code=YORK, kinds=["school"], enabled=True))

    assert [s["source_id"] for s in list_sources(uow, {"actor": YORK_TEAM})] == ["york-school"]
    assert [s["source_id"] for s in list_sources(uow, {"actor": OPERATOR})] == ["retired", "school-mis", "york-school", "yot-leeds"]


def test_no_one_but_a_team_or_an_operator_lists_sources(uow):
    with pytest.raises(NotYourLA):
        list_sources(uow, {"actor": {"username": "pat", "role": "practitioner", "la_code": LEEDS}})
