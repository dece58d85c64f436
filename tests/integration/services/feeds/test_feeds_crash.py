"""A crash of the feeds service mid-batch (kill -9) loses no acknowledged message and duplicates no child.

The feeds service runs here as its own process, alone on the queue, so the test can kill it
while a batch is in hand and start another in its place.
"""
import os
import random
import signal
import subprocess
import sys

import pytest
from kombu import Queue
from sqlalchemy import select, text

from contactpoint import partner, synthetic
from contactpoint.commands.common import operator
from services.feeds.bootstrap import bootstrap
from services.feeds.models import SourceRecord
from shared.contracts.requests import ADD_SOURCE
from shared.messaging.topology import feedback_queue
from tests.support import environment_for, unique, wait_until

pytestmark = pytest.mark.integration

CHILDREN = 500
SECOND_RECORDS = 200  # the same children again from another source, linked by NHS number: where a duplicate child would show


@pytest.fixture
def feeds(migrated, broker_admin, provisioner):
    service = bootstrap(migrated)
    yield service
    service.close()


def register(feeds, kind: str) -> tuple[str, str]:
    added = feeds.perform(ADD_SOURCE, {"source_id": unique("crash"), "name": "Crash test", "la_code": None, "kinds": [kind], "actor": operator()})
    return added["source_id"], added["amqp_password"]


def start(settings) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "contactpoint", "run", "feeds"], env=environment_for(settings),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_feeds_service_killed_mid_batch_loses_no_acknowledged_message_and_duplicates_no_child(migrated, feeds, broker_admin):
    schools, health = register(feeds, "school"), register(feeds, "health")
    rng = random.Random(3)
    children = list(synthetic.population(CHILDREN, seed=17))
    sent = {
        schools: [synthetic.feed_message(c, source_record_id=f"S-{c.person_id}", sequence=1, service="school", rng=rng) for c in children],
        health: [synthetic.feed_message(c, source_record_id=f"H-{c.person_id}", sequence=1, service="health", rng=rng)
                 for c in children[:SECOND_RECORDS]],
    }
    message_ids: set[str] = set()
    for (source_id, password), messages in sent.items():
        with partner.source_connection(migrated.amqp_url, source_id, password) as connection:
            message_ids |= {envelope.message_id for envelope in partner.publish(connection, ((source_id, m) for m in messages))}
    source_ids = [source_id for source_id, _ in sent]

    def handled() -> int:
        """Only this test's messages: others may have been handled before, in the same database."""
        with feeds.db.sessions() as session:
            return session.scalar(text("SELECT count(*) FROM feeds.processed_messages WHERE consumer = 'feeds' AND message_id = ANY(:ids)"),
                                  {"ids": list(message_ids)})

    first = start(migrated)
    try:
        wait_until(lambda: handled() >= 100, timeout=120, what="the first feeds process to be part-way through")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert handled() < len(message_ids), "the feeds service finished before it could be killed"
    finally:
        if first.poll() is None:
            first.kill()

    second = start(migrated)
    try:
        wait_until(lambda: handled() >= len(message_ids), timeout=240, interval=0.5, what="the second feeds process to take every message")
        wait_until(lambda: unsent(feeds) == 0, timeout=60, what="the outbox to be sent")
    finally:
        second.terminate()
        second.wait(timeout=30)

    with feeds.db.sessions() as session:
        rows = session.execute(select(SourceRecord.source_id, SourceRecord.nhs_number, SourceRecord.contactpoint_id)
                               .where(SourceRecord.source_id.in_(source_ids))).all()
        done = set(session.scalars(text("SELECT message_id FROM feeds.processed_messages WHERE consumer = 'feeds'")))
    children_by_nhs: dict[str, set[str]] = {}
    for row in rows:
        children_by_nhs.setdefault(row.nhs_number, set()).add(row.contactpoint_id)
    assert message_ids <= done
    assert len(rows) == CHILDREN + SECOND_RECORDS
    assert len(children_by_nhs) == CHILDREN
    assert all(len(linked) == 1 for linked in children_by_nhs.values()), "a child was made twice"
    assert len({row.contactpoint_id for row in rows}) == CHILDREN
    told = _feedback_message_ids(migrated, sent)
    assert told == message_ids, "every message was answered, none forgotten"


def unsent(feeds) -> int:
    with feeds.db.sessions() as session:
        return session.scalar(text("SELECT count(*) FROM feeds.outbox"))


def _feedback_message_ids(settings, sources) -> set[str]:
    """Feedback is sent at least once; a crash between sending and forgetting it may send one twice, never none."""
    told: set[str] = set()
    for source_id, password in sources:
        with partner.source_connection(settings.amqp_url, source_id, password) as connection:
            queue = Queue(feedback_queue(source_id).name)(connection.default_channel)
            while (message := queue.get(no_ack=True, accept=["json"])) is not None:
                told.add(message.payload["message_id"])
    return told
