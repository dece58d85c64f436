"""Several messages in one unit of work: one commit for all, and exactly the outcomes one-by-one handling would give."""
from __future__ import annotations

import pytest

from shared.errors import Conflict
from shared.messaging.consumer import MessageProcessor, RetryPolicy, Subscription
from shared.messaging.envelope import Envelope
from tests.unit.shared.messaging.test_processor import QUEUE, FakeUnitOfWork, NoteSchema, Store


class CountingUnitOfWork(FakeUnitOfWork):
    opened = 0

    def __enter__(self):
        CountingUnitOfWork.opened += 1
        return super().__enter__()

    def claim(self, consumer: str, message_ids: list[str]) -> set[str]:
        new = {message_id for message_id in message_ids if not self.already_processed(consumer, message_id)}
        for message_id in new:
            self.mark_processed(consumer, message_id)
        return new


@pytest.fixture
def store() -> Store:
    CountingUnitOfWork.opened = 0
    return Store()


@pytest.fixture
def processor(store) -> MessageProcessor:
    return MessageProcessor("probe", lambda reads_only=False, answering=None: CountingUnitOfWork(store), RetryPolicy(()))


def keep_note(uow, note, envelope):
    if note["text"] == "refuse":
        raise Conflict("refused on purpose")
    uow.notes.append(note["text"])


SUBSCRIPTION = Subscription(QUEUE, keep_note, schema=NoteSchema, batch=10)


def notes(*texts: str, ids: tuple[str, ...] = ()) -> list[Envelope]:
    return [Envelope("x", "probe.note", {"text": text}, message_id=(ids[n] if ids else f"m-{text}")) for n, text in enumerate(texts)]


def test_a_batch_is_handled_in_order_in_one_unit_of_work(processor, store):
    outcomes = processor.process_batch(SUBSCRIPTION, notes("a", "b", "c"))

    assert store.notes == ["a", "b", "c"] and CountingUnitOfWork.opened == 1
    assert [o.rejection for o in outcomes] == [None, None, None]


def test_repeats_in_a_batch_or_before_it_are_no_ops(processor, store):
    processor.process_batch(SUBSCRIPTION, notes("a"))

    outcomes = processor.process_batch(SUBSCRIPTION, notes("a", "b", "b2", ids=("m-a", "m-b", "m-b")))

    assert store.notes == ["a", "b"]
    assert [o.duplicate for o in outcomes] == [True, False, True]


def test_one_refused_message_leaves_the_others_handled_as_they_would_be_alone(processor, store):
    outcomes = processor.process_batch(SUBSCRIPTION, notes("a", "refuse", "c"))

    assert store.notes == ["a", "c"]
    assert [bool(o.rejection) for o in outcomes] == [False, True, False]
    assert outcomes[1].rejection["code"] == "conflict"


def test_an_invalid_message_in_a_batch_is_refused_alone(processor, store):
    batch = [*notes("a"), Envelope("x", "probe.note", {"pages": 2}, message_id="m-bad"), *notes("c")]

    outcomes = processor.process_batch(SUBSCRIPTION, batch)

    assert store.notes == ["a", "c"]
    assert outcomes[1].rejection["code"] == "invalid_message"


def keep_notes(uow, arrived):
    if any(note["text"] == "refuse" for note, _ in arrived):
        raise Conflict("refused on purpose")
    uow.notes.append([note["text"] for note, _ in arrived])


BATCHED = Subscription(QUEUE, batch_handler=keep_notes, schema=NoteSchema, batch=10)


def test_a_batch_handler_takes_the_batch_at_once_and_each_message_alone_after_a_refusal(processor, store):
    processor.process_batch(BATCHED, notes("a", "b"))
    processor.process_batch(BATCHED, notes("c", "refuse", "d"))

    assert store.notes == [["a", "b"], ["c"], ["d"]]


def test_a_subscription_has_one_handler():
    with pytest.raises(TypeError):
        Subscription(QUEUE, keep_note, batch_handler=keep_notes)
    with pytest.raises(TypeError):
        Subscription(QUEUE)
