"""A producer numbers an audit event as it hands it on, so an event made in a unit of work that rolled back,
and so never sent, leaves no gap for `audit verify` to report; nor does a request's event that the store keeps once, and a
request that reuses an earlier one's id has its look stored all the same."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from kombu import Queue
from sqlalchemy import select

from services.audit.models import AuditRecord

from shared.contracts.audit import audit_event
from shared.contracts.requests import VERIFY_AUDIT
from shared.errors import Conflict
from shared.messaging.connection import connect
from shared.messaging.consumer import MessageProcessor, Subscription, envelope_of
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import Publisher
from shared.unit_of_work import UnitOfWork
from shared.messaging.topology import AUDIT
from tests.integration.services.audit.conftest import ACTOR, as_received
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration

OPERATOR = {"username": "cli:tester", "la_code": "national", "role": "operator", "category": None}


@dataclass
class OwnProducer:
    """A service name that no other test numbers events under, so its numbers start from 1 in this process,
    and a queue of the test's own that takes what reaches ``cp.audit`` from it."""

    service: str
    queue: object
    unit_of_work: object  # the audit service's, publishing as the test (a service may publish only under its own name)
    send_outbox: object

    def sent(self, count: int) -> list[Envelope]:
        arrived = []

        def all_arrived() -> bool:
            message = self.queue.get(no_ack=True, accept=["json"])
            if message is not None:
                arrived.append(envelope_of(message))
            return len(arrived) == count

        wait_until(all_arrived, what=f"{count} events from {self.service} on cp.audit")
        return arrived


@pytest.fixture
def producer(audit_store, audit) -> Iterator[OwnProducer]:
    service = unique("producer")
    queue = Queue(unique("test.audit"), AUDIT, routing_key=f"*.{service}.*", auto_delete=False, durable=False)
    publisher = Publisher(lambda: connect(audit_store))

    def unit_of_work(reads_only: bool = False, answering: Envelope | None = None) -> UnitOfWork:
        return UnitOfWork(audit.db, audit.relay.tables, publisher, on_commit=audit.relay.wake, reads_only=reads_only, answering=answering)

    with connect(audit_store) as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        yield OwnProducer(service, bound, unit_of_work, OutboxRelay(audit.db, audit.relay.tables, publisher).flush)
        bound.delete()
    publisher.close()


@pytest.fixture
def store(audit):
    """Stores events as the audit service's consumer does, whoever sent them: no broker user is named after these producers."""
    processor = MessageProcessor("audit", audit.unit_of_work, gate=audit.gate)
    subscription = replace(audit.routes.events[0], senders=())

    def stored(*envelopes: Envelope) -> list[Envelope]:
        for envelope in envelopes:
            assert processor.process(subscription, as_received(envelope, audit.gate.names)).rejection is None
        return list(envelopes)

    return stored


def test_an_event_emitted_in_a_unit_of_work_that_rolls_back_takes_no_number(audit, store, producer):
    with pytest.raises(Conflict), producer.unit_of_work() as uow:
        uow.emit(audit_event(producer.service, "read", actor=ACTOR, subject="CP-ROLLED-BACK"))
        raise Conflict("refused after emitting")
    with producer.unit_of_work() as uow:
        uow.emit(audit_event(producer.service, "read", actor=ACTOR, subject="CP-COMMITTED"))
        uow.commit()
    producer.send_outbox()
    with producer.unit_of_work() as uow:
        uow.publish_now(audit_event(producer.service, "search", actor=ACTOR))

    committed, published = store(*producer.sent(2))

    assert committed.body["subject"] == "CP-COMMITTED"
    assert (committed.body["producer_seq"], published.body["producer_seq"]) == (1, 2)
    assert committed.body["producer"] == published.body["producer"]
    assert audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})["intact"]


def test_a_batch_handled_again_one_by_one_numbers_only_what_commits(audit, store, producer):
    def read_child(uow, note, envelope):
        uow.emit(audit_event(producer.service, "read", actor=ACTOR, subject=note["child"]))
        if note["child"] == "CP-REFUSED":
            raise Conflict("refused after emitting")

    processor = MessageProcessor(producer.service, producer.unit_of_work)
    subscription = Subscription(Queue(producer.service), read_child, batch=3)
    batch = [Envelope(exchange="", routing_key=producer.service, body={"child": child}) for child in ("CP-1", "CP-REFUSED", "CP-2")]

    outcomes = processor.process_batch(subscription, batch)
    producer.send_outbox()
    stored = store(*producer.sent(2))

    assert [outcome.rejection is not None for outcome in outcomes] == [False, True, False]
    assert [(event.body["subject"], event.body["producer_seq"]) for event in stored] == [("CP-1", 1), ("CP-2", 2)]
    assert audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})["intact"]


@pytest.fixture
def searching(producer):
    """A service answering searches as the directory does: one audit event each, published before the answer."""
    def search(uow, request, envelope):
        uow.publish_now(audit_event(producer.service, "search", actor=ACTOR, criteria={"family_name": request["family_name"]}))
        return {"results": []}

    processor = MessageProcessor(producer.service, producer.unit_of_work)
    subscription = Subscription(Queue(producer.service), search, answers=True, reads_only=True)

    def answered(*requests: Envelope) -> None:
        for request in requests:
            assert processor.process(subscription, request).reply == {"result": {"results": []}}

    return answered


def held_events(audit, producer) -> list[dict]:
    with audit.db.sessions() as session:
        return session.scalars(select(AuditRecord.event).where(AuditRecord.service == producer.service).order_by(AuditRecord.seq)).all()


def test_a_search_delivered_again_after_it_was_answered_is_audited_once_and_leaves_no_gap(audit, store, producer, searching):
    """Its ack lost with the broker, a search is delivered again and answered again: the store keeps its one event."""
    asked = Envelope(exchange="", routing_key=producer.service, body={"family_name": "Again"})
    later = Envelope(exchange="", routing_key=producer.service, body={"family_name": "Later"})

    searching(asked, replace(asked, redelivered=True), later)
    first, again, after = store(*producer.sent(3))

    assert again.body["event_id"] == first.body["event_id"]
    assert after.body["unconfirmed"] == [again.body["producer_seq"]]
    assert [event["criteria"]["family_name"] for event in held_events(audit, producer)] == ["Again", "Later"]
    assert audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})["intact"]


def test_a_search_sent_again_under_an_answered_requests_id_is_audited_under_an_id_of_its_own(audit, store, producer, searching):
    """The same search sent as a new request with the first's id (the broker delivers it as new): its look is stored too, naming
    the id it reused, and the event sent twice by its publisher is still stored once."""
    asked = Envelope(exchange="", routing_key=producer.service, body={"family_name": "Twice"})

    searching(asked, replace(asked))
    first, reused = producer.sent(2)
    store(first, reused, reused)

    assert reused.body["event_id"] == first.body["event_id"]
    held = held_events(audit, producer)
    assert [event["criteria"]["family_name"] for event in held] == ["Twice", "Twice"]
    assert held[0]["event_id"] == first.body["event_id"] and "reused_id" not in held[0]
    assert held[1]["reused_id"] == first.body["event_id"] and held[1]["event_id"] != first.body["event_id"]
    assert audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})["intact"]
