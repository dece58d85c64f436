"""Learning from reviewers: each pair a person links or separates is kept labelled, and the model in force is scored against
the labels, precision and recall each with its 95% interval."""
from __future__ import annotations

from dataclasses import replace

import pytest

from services.feeds import linkage_model
from services.feeds.accuracy import Estimate
from services.feeds.in_force import linkage_accuracy, use_linkage_model
from services.feeds.reviews import link_review, separate_review
from services.feeds.models import LabelledPair

TEAM = {"username": "la-team", "role": "la_admin", "la_code": "E08000035"}
OPERATOR = {"username": "cli:ops", "la_code": "national", "role": "operator", "category": None}


@pytest.mark.parametrize("decide, same_child", [(link_review, True), (separate_review, False)], ids=["linked", "separated"])
def test_a_persons_decision_is_kept_as_a_labelled_pair_of_the_two_children_as_they_stood(uow, task, decide, same_child):
    decide(uow, {"task_id": task.task_id, "actor": TEAM})

    pair = uow.session.get(LabelledPair, task.task_id)
    assert (pair.same_child, pair.decided_by, pair.model_version) == (same_child, "la-team", linkage_model.DEFAULT.version)
    assert (pair.record["address"]["postcode"], pair.candidate["address"]["postcode"]) == ("YO1 7HH", "LS1 4AP")


def test_accuracy_scores_the_model_in_force_against_the_labels_and_is_audited(uow, task):
    link_review(uow, {"task_id": task.task_id, "actor": TEAM})

    strict = linkage_accuracy(uow, {"actor": OPERATOR})
    lenient_model = replace(linkage_model.DEFAULT, version="lenient-1", link_at=5.0)
    use_linkage_model(uow, {"model": linkage_model.dumps(lenient_model), "actor": OPERATOR})
    uow.emitted.clear()
    lenient = linkage_accuracy(uow, {"actor": OPERATOR})

    assert (strict["labelled_pairs"], strict["same_child"], strict["recall"]["hits"], strict["precision"]["estimate"]) == (1, 1, 0, None)
    assert (lenient["model_version"], lenient["recall"]["estimate"], lenient["precision"]["estimate"]) == ("lenient-1", 1.0, 1.0)
    low, high = lenient["recall"]["interval_95"]
    assert 0 < low < 1 == high
    [audited] = [e.body for e in uow.emitted if e.routing_key.endswith("linkage_accuracy_estimated")]
    assert (audited["actor"]["username"], audited["subject"], audited["detail"]["labelled_pairs"]) == ("cli:ops", "lenient-1", 1)


def test_the_interval_narrows_as_labels_accumulate_and_is_wilsons():
    few, many = Estimate(9, 10).interval, Estimate(900, 1000).interval

    assert few == pytest.approx((0.5958, 0.9821), abs=1e-4)
    assert many[1] - many[0] < few[1] - few[0]
    assert Estimate(0, 0).shown() == {"estimate": None, "hits": 0, "of": 0, "interval_95": None}
