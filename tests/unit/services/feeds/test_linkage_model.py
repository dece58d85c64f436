"""The linkage model matching scores with: trained by Splink on the records held, written to a versioned file, put in force
by an operator (audited), and the hand-set one while none is."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from services.feeds import linkage_model, training
from services.feeds.in_force import model_in_force, refresh_term_frequencies, show_linkage_model, use_linkage_model
from services.feeds.schedule import SCHEDULE
from shared.contracts.requests import REFRESH_TERM_FREQUENCIES
from shared.scheduling import schedules
from services.feeds.models import ReviewTask
from shared.errors import InvalidRequest
from tests.linkage_population import described_records, link, population
from tests.unit.services.feeds.feeding import body, receive, unsure_match

OPERATOR = {"username": "cli:ops", "la_code": "national", "role": "operator", "category": None}


@pytest.fixture(scope="module")
def people():
    return population(5000)


@pytest.fixture(scope="module")
def trained(people) -> linkage_model.LinkageModel:
    return training.train(described_records(people), trained_by="cli:ops", version="trained-test")


def test_splink_trained_weights_link_the_population_precisely_completely_and_with_no_twin_merged(people, trained):
    linked = link(people, trained)

    print(f"\nlinkage by weights trained on {trained.trained_on} records: {linked.summary()}")
    assert (trained.trained_by, trained.trained_on) == ("cli:ops", linked.records)
    assert linked.twins_merged == 0
    assert linked.precision >= 0.999
    assert linked.recall >= 0.99
    assert linked.review_rate <= 0.02


def test_training_learns_that_agreeing_is_evidence_and_disagreeing_is_against(trained):
    for comparison in ("family_name", "given_name", "date_of_birth", "postcode"):
        weights = {level: trained.weight(comparison, level) for level in trained.levels[comparison]}
        assert weights["exact"] > 0 > weights["different"], comparison
    assert trained.weight("postcode", "unknown") == 0


def test_a_model_file_reads_back_as_written(trained):
    again = linkage_model.loads(linkage_model.dumps(trained))

    assert again == trained
    assert json.loads(linkage_model.dumps(trained))["format"] == linkage_model.FORMAT


@pytest.mark.parametrize("text", ["{}", '{"format": "something else"}', "not json"])
def test_what_is_not_a_model_file_is_refused(text):
    with pytest.raises(ValueError):
        linkage_model.loads(text)


def test_the_hand_set_model_is_in_force_until_an_operator_puts_another(uow):
    shown = show_linkage_model(uow, {"actor": OPERATOR})

    assert (shown["version"], shown["trained_by"], shown["put_in_force_by"]) == (linkage_model.DEFAULT.version, None, None)


def test_a_model_put_in_force_is_shown_audited_and_scores_the_records_that_follow(uow):
    strict = replace(linkage_model.DEFAULT, version="strict-1", review_from=40.0, link_at=50.0, trained_by="cli:ops", trained_on=1200)

    use_linkage_model(uow, {"model": linkage_model.dumps(strict), "actor": OPERATOR})

    assert model_in_force(uow.session).version == "strict-1"
    shown = show_linkage_model(uow, {"actor": OPERATOR})
    assert (shown["version"], shown["trained_on"], shown["put_in_force_by"]) == ("strict-1", 1200, "cli:ops")
    [audited] = [e.body for e in uow.emitted if e.routing_key.endswith("linkage_model_changed")]
    assert (audited["subject"], audited["detail"]["previous"]) == ("strict-1", linkage_model.DEFAULT.version)
    receive(uow, body())
    receive(uow, unsure_match(), source_id="school-mis", kind="record", message_id="m-2")
    assert uow.session.query(ReviewTask).count() == 0  # what the hand-set model asks a person about, this one holds apart


def test_a_model_file_that_is_not_one_is_refused_and_the_model_in_force_kept(uow):
    with pytest.raises(InvalidRequest, match="not a linkage model"):
        use_linkage_model(uow, {"model": "{}", "actor": OPERATOR})

    assert model_in_force(uow.session) is linkage_model.DEFAULT


def test_a_version_names_one_model_and_an_earlier_one_given_again_goes_back_in_force(uow):
    first = replace(linkage_model.DEFAULT, version="trained-1")
    second = replace(linkage_model.DEFAULT, version="trained-2")
    for model in (first, second, first):
        use_linkage_model(uow, {"model": linkage_model.dumps(model), "actor": OPERATOR})

    assert model_in_force(uow.session).version == "trained-1"
    with pytest.raises(InvalidRequest, match="a version names one model"):
        use_linkage_model(uow, {"model": linkage_model.dumps(replace(first, link_at=30.0)), "actor": OPERATOR})


WORKER = {"username": "service:worker", "la_code": "national", "role": "service", "category": None}


def test_term_frequencies_are_counted_again_daily_from_the_records_held_and_audited(uow):
    receive(uow, body())
    receive(uow, body(source_record_id="YOT-2", child={**body()["child"], "family_name": "Hebblethwaite", "identifiers": {}}),
            message_id="m-2")
    use_linkage_model(uow, {"model": linkage_model.dumps(replace(linkage_model.DEFAULT, version="trained-7")), "actor": OPERATOR})
    uow.emitted.clear()

    refreshed = refresh_term_frequencies(uow, {"actor": WORKER})
    again = refresh_term_frequencies(uow, {"actor": WORKER})

    assert SCHEDULE[REFRESH_TERM_FREQUENCIES] == 24 * 60 * 60 and schedules()[REFRESH_TERM_FREQUENCIES] == SCHEDULE[REFRESH_TERM_FREQUENCIES]
    assert (refreshed["refreshed"], refreshed["records"]) == (True, 2)
    in_force = model_in_force(uow.session)
    assert in_force.version == again["version"] and in_force.version.startswith("trained-7+tf") and "+tf" not in in_force.version[12:]
    assert in_force.term_frequencies["family_name"] == {"smith": 0.5, "hebblethwaite": 0.5}
    assert in_force.levels == linkage_model.DEFAULT.levels
    audited = [e.body for e in uow.emitted if e.routing_key.endswith("linkage_model_changed")]
    assert [(a["actor"]["username"], a["detail"]["records"]) for a in audited] == [("service:worker", 2)] * 2


def test_an_empty_directory_has_no_term_frequencies_to_refresh(uow):
    assert refresh_term_frequencies(uow, {"actor": WORKER})["refreshed"] is False
    assert model_in_force(uow.session) is linkage_model.DEFAULT
