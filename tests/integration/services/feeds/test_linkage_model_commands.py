"""The linkage model at the command line, on the real servers: `feeds train` estimates one with Splink from the records the
feeds service holds and puts it in force, `feeds model` shows it, and the records matched after are scored with it."""
import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from contactpoint import partner
from contactpoint.commands.common import operator
from services.feeds.linkage_model import DEFAULT, dumps
from services.feeds.models import SourceRecord
from shared.contracts.requests import USE_LINKAGE_MODEL
from tests.integration.services.feeds.test_matching_accuracy import drain_feedback, wait_for_the_directory
from tests.linkage_population import described_records, population
from tests.support import environment_for, wait_until

pytestmark = pytest.mark.integration


def contactpoint(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contactpoint", *args], env=environment_for(settings), capture_output=True, text=True, timeout=300)


@pytest.fixture
def hand_set_model_afterwards(services):
    """Puts the hand-set model back in force, so that the tests after this one match as they expect."""
    yield
    services["feeds"].perform(USE_LINKAGE_MODEL, {"model": dumps(DEFAULT), "actor": operator()})


def test_a_model_trained_on_the_records_held_is_put_in_force_and_shown(migrated, services, register_source, tmp_path, hand_set_model_afterwards):
    health, school = register_source(kinds=("health",)), register_source(kinds=("school",))
    people = population(700, seed=3)
    sent = [(health if record.source == "health" else school, record.message) for record in people.records]
    accepted = len(described_records(people))
    for sender in (health, school):
        with sender.connection() as connection:
            for _ in partner.publish(connection, ((sender.source_id, message) for by, message in sent if by is sender)):
                pass

    def held_by_both() -> int | None:
        with services["feeds"].db.sessions() as session:
            held = select(func.count()).select_from(SourceRecord).where(SourceRecord.source_id.in_((health.source_id, school.source_id)))
            mine = session.scalar(held)
            return session.scalar(select(func.count()).select_from(SourceRecord).where(SourceRecord.held)) if mine == accepted else None

    held = wait_until(held_by_both, timeout=240, interval=1, what="the records to be held")
    model_file = tmp_path / "model.json"

    trained = contactpoint(migrated, "feeds", "train", "--out", str(model_file), "--use", "--json")

    assert trained.returncode == 0, trained.stderr
    written = json.loads(model_file.read_text())
    assert written["format"] == "contactpoint.linkage-model.v1" and written["trained_on"] == held
    shown = contactpoint(migrated, "feeds", "model", "--json")
    assert shown.returncode == 0, shown.stderr
    in_force = json.loads(shown.stdout)
    assert (in_force["version"], in_force["trained_on"]) == (written["version"], held)
    assert in_force["put_in_force_by"].startswith("cli:") and in_force["trained_by"].startswith("cli:")
    assert in_force["weights"]["date_of_birth"]["exact"] > 0 > in_force["weights"]["date_of_birth"]["different"]
    assert "linkage model " + written["version"] in contactpoint(migrated, "feeds", "model").stdout
    drain_feedback(health, school)
    wait_for_the_directory(services, _children_of(services, health, school))


def test_a_file_that_is_not_a_model_is_refused_in_one_line(migrated, tmp_path):
    not_a_model = tmp_path / "notes.json"
    not_a_model.write_text("{}")

    refused = contactpoint(migrated, "feeds", "model", "--use", str(not_a_model))

    assert refused.returncode != 0 and "not a linkage model" in refused.stderr and "Traceback" not in refused.stderr


def _children_of(services, *sources) -> set[str]:
    with services["feeds"].db.sessions() as session:
        return set(session.scalars(select(SourceRecord.contactpoint_id).where(SourceRecord.source_id.in_([s.source_id for s in sources]))))


def test_accuracy_from_the_reviewers_labels_is_printed_at_the_command_line(migrated, services):
    done = contactpoint(migrated, "feeds", "accuracy", "--json")

    assert done.returncode == 0, done.stderr
    estimated = json.loads(done.stdout)
    assert estimated["model_version"] and estimated["labelled_pairs"] >= estimated["same_child"] >= 0
    assert set(estimated["precision"]) == {"estimate", "hits", "of", "interval_95"}
