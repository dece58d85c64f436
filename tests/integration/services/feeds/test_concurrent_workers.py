"""More feeds workers, for more throughput, never make one child twice when they take messages about the same new child at once."""
import threading

from sqlalchemy import func, select

from services.feeds.models import SourceRecord
from shared.db import one_of
from shared.messaging.consumer import MessageProcessor
from shared.messaging.envelope import Envelope, new_message_id
from shared.messaging.topology import FEEDS, FEEDS_PARTNER_MESSAGES
from tests.integration.services.builders import a_feed_message

CHILDREN = 40


def test_two_workers_taking_the_same_new_children_at_once_make_each_child_once(services, register_source):
    feeds = services["feeds"]
    children = [a_feed_message() for _ in range(CHILDREN)]
    batches = [[
        Envelope(exchange=FEEDS.name, routing_key=f"{partner.source_id}.school", message_id=new_message_id(), user_id=partner.source_id,
                 body={**message, "source_record_id": f"{partner.source_id}-{n}"})
        for n, message in enumerate(children)
    ] for partner in (register_source(), register_source())]
    subscription = next(sub for sub in feeds.subscriptions if sub.queue.name == FEEDS_PARTNER_MESSAGES.name)
    together = threading.Barrier(len(batches))
    refused = []

    def work(envelopes: list[Envelope]) -> None:
        processor = MessageProcessor(feeds.name, feeds.unit_of_work)
        together.wait()
        refused.extend(outcome.rejection for outcome in processor.process_batch(subscription, envelopes) if outcome.rejection)

    workers = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert refused == []
    with feeds.db.sessions() as session:
        linked_to = session.scalar(select(func.count(SourceRecord.contactpoint_id.distinct())).where(
            one_of(SourceRecord.nhs_number, [message["child"]["identifiers"]["nhs_number"] for message in children])))
    assert linked_to == CHILDREN
