"""How well records are linked: a generated population sent by two sources that share no identifier, each record with
the data-entry slips of real systems, linked through the running feeds service; precision and recall are printed."""
import itertools
import random
from collections import defaultdict

import pytest
from kombu import Queue
from marshmallow import ValidationError
from sqlalchemy import func, select

from contactpoint import partner, synthetic
from services.feeds.models import ReviewTask, SourceRecord
from services.feeds.schemas import AcceptedFeedMessageSchema
from shared.messaging.connection import connect
from shared.messaging.topology import DIRECTORY_CHILD_UPDATES, feedback_queue
from tests.support import wait_until

pytestmark = pytest.mark.integration

CHILDREN = 2000


def pairs(groups) -> set[frozenset]:
    return {frozenset(pair) for members in groups for pair in itertools.combinations(sorted(members), 2)}


def test_two_sources_records_of_a_generated_population_are_linked_with_high_precision_and_recall(services, register_source):
    health, school = register_source(kinds=("health",)), register_source(kinds=("school",))
    rng = random.Random(5)
    sent: dict[tuple[str, str], int] = {}
    batches = {health.source_id: [], school.source_id: []}
    for child in synthetic.population(CHILDREN, seed=99):
        for sender, identifiers in ((health, ("nhs_number",)), (school, ("upn",))):
            kind = "health" if sender is health else "school"
            message = synthetic.with_errors(synthetic.feed_message(
                child, source_record_id=f"R-{child.person_id}", sequence=1, service=kind, rng=rng, identifiers=identifiers), rng)
            try:
                AcceptedFeedMessageSchema().load(message)
            except ValidationError:
                continue  # a slip that makes the message invalid (a birth date swapped into the future) is refused, not linked
            sent[(sender.source_id, message["source_record_id"])] = child.person_id
            batches[sender.source_id].append(message)

    for sender in (health, school):
        with sender.connection() as connection:
            for _ in partner.publish(connection, ((sender.source_id, message) for message in batches[sender.source_id])):
                pass

    def linked() -> dict | None:
        with services["feeds"].db.sessions() as session:
            rows = session.execute(select(SourceRecord.source_id, SourceRecord.source_record_id, SourceRecord.contactpoint_id)
                                   .where(SourceRecord.source_id.in_(batches))).all()
            return {(r.source_id, r.source_record_id): r.contactpoint_id for r in rows} if len(rows) == len(sent) else None

    held = wait_until(linked, timeout=240, interval=1, what="every record to be linked")
    truth, found = defaultdict(list), defaultdict(list)
    for key, person_id in sent.items():
        truth[person_id].append(key)
        found[held[key]].append(key)
    true_pairs, linked_pairs = pairs(truth.values()), pairs(found.values())
    precision = len(true_pairs & linked_pairs) / len(linked_pairs)
    recall = len(true_pairs & linked_pairs) / len(true_pairs)
    with services["feeds"].db.sessions() as session:
        reviews = session.scalar(select(func.count()).select_from(ReviewTask).where(ReviewTask.contactpoint_id.in_(set(held.values()))))
    print(f"\nlinking {len(sent)} records of {CHILDREN} children from two sources: precision {precision:.4f}, recall {recall:.4f}, "
          f"{len(linked_pairs)} pairs linked of {len(true_pairs)} true, {reviews} sent to review")
    drain_feedback(health, school)
    wait_for_the_directory(services, set(held.values()))

    assert precision >= 0.999
    assert recall >= 0.98


def wait_for_the_directory(services, contactpoint_ids: set[str]) -> None:
    """The directory takes every merged child before the test ends, so no later test waits behind this one's backlog."""
    from services.directory.models import Child

    def caught_up() -> bool:
        with services["directory"].db.sessions() as session:
            held = session.scalar(select(func.count()).select_from(Child).where(Child.contactpoint_id.in_(contactpoint_ids)))
        with connect(services["directory"].settings) as connection:
            waiting = DIRECTORY_CHILD_UPDATES(connection.default_channel).queue_declare(passive=True).message_count
        return held == len(contactpoint_ids) and waiting == 0

    wait_until(caught_up, timeout=240, interval=1, what="the directory to hold every child")


def drain_feedback(*senders) -> None:
    """The accepted feedback waits in each source's durable queue; a partner reads it, and so does the test, to leave none behind."""
    for sender in senders:
        with sender.connection() as connection:
            Queue(feedback_queue(sender.source_id).name)(connection.default_channel).purge()
