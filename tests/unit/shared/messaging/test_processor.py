"""The consumer's rules without a broker: validate, de-duplicate, handle in one unit of work, retry or refuse."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from kombu import Queue
from marshmallow import Schema, fields
from sqlalchemy.exc import OperationalError

from shared.errors import Conflict, TransientError
from shared.messaging.consumer import MessageProcessor, Outcome, RetryPolicy, Subscription
from shared.messaging.envelope import Envelope

QUEUE = Queue("probe.notes")
DELAYS = (0.5, 2.0, 7.0)


class NoteSchema(Schema):
    text = fields.String(required=True)
    pages = fields.Integer(load_default=1)


class Store:
    """What the fake units of work share, as a database would."""

    def __init__(self):
        self.processed: set[tuple[str, str]] = set()
        self.notes: list = []


class FakeUnitOfWork:
    """Keeps its changes until ``commit``; leaving without committing throws them away."""

    def __init__(self, store: Store):
        self._store = store
        self._processed: set[tuple[str, str]] = set()
        self.notes: list = []

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *exc_info) -> None:
        self._processed.clear()
        self.notes.clear()

    def already_processed(self, consumer: str, message_id: str) -> bool:
        return (consumer, message_id) in self._store.processed

    def mark_processed(self, consumer: str, message_id: str) -> None:
        self._processed.add((consumer, message_id))

    def commit(self) -> None:
        self._store.processed |= self._processed
        self._store.notes += self.notes
        self._processed.clear()
        self.notes.clear()

    def refused(self, refusal) -> None:
        """As ``UnitOfWork.refused``: the audit a refusal carries committed, with what came before it if it keeps it."""
        if not refusal.audit:
            return
        if not refusal.keeps_work:
            self.notes.clear()
        self.notes += list(refusal.audit)
        self.commit()


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def processor(store) -> MessageProcessor:
    return MessageProcessor("probe", lambda reads_only=False, answering=None: FakeUnitOfWork(store), RetryPolicy(DELAYS))


def note_down(uow, payload, envelope):
    uow.notes.append(payload["text"])


def failing_with(*faults):
    """A handler that notes the message, then raises each fault in turn; once they run out it succeeds."""
    remaining = list(faults)
    attempts = []

    def handler(uow, payload, envelope):
        attempts.append(envelope.message_id)
        uow.notes.append(payload["text"])
        if remaining:
            raise remaining.pop(0)
        return {"noted": payload["text"]}

    handler.attempts = attempts
    return handler


def told_the_sender(envelope: Envelope, reason: dict) -> list[Envelope]:
    return [Envelope(exchange="cp.feedback", routing_key="probe.rejected", body={"message_id": envelope.message_id, "faults": reason})]


def subscription(handler=note_down, **options) -> Subscription:
    return Subscription(QUEUE, handler, schema=options.pop("schema", NoteSchema), **options)


def note(text: str = "hello", message_id: str = "m-1", retried: int = 0, **extra) -> Envelope:
    """A note, as it arrives the first time or back from waiting out its ``retried``-th retry's delay."""
    deaths = [{"queue": "probe.notes.delayed", "reason": "expired", "count": retried}] if retried else []
    return Envelope(exchange="cp.events", routing_key="probe.note", body={"text": text, **extra}, message_id=message_id,
                    headers={"x-death": deaths} if deaths else {})


def handled_until_settled(processor, sub, envelope) -> list[Outcome]:
    """Each outcome of the message, returned as the broker returns it after each retry's delay, until it is settled."""
    outcomes = [processor.process(sub, envelope)]
    while outcomes[-1].retry_after is not None:
        outcomes.append(processor.process(sub, replace(envelope, headers=note(retried=len(outcomes)).headers)))
    return outcomes


def test_a_valid_message_is_handled_and_committed_once(processor, store):
    outcome = processor.process(subscription(), note("hello"))

    assert store.notes == ["hello"]
    assert (outcome.duplicate, outcome.rejection, outcome.reply, outcome.feedback) == (False, None, None, [])


def test_a_repeated_message_id_is_a_duplicate_and_is_not_handled_again(processor, store):
    processor.process(subscription(), note("once", message_id="same"))
    repeat = processor.process(subscription(), note("once", message_id="same"))

    assert repeat.duplicate
    assert repeat.rejection is None
    assert store.notes == ["once"]


def test_each_consumer_remembers_only_the_messages_it_processed(store):
    first = MessageProcessor("first", lambda reads_only=False, answering=None: FakeUnitOfWork(store))
    second = MessageProcessor("second", lambda reads_only=False, answering=None: FakeUnitOfWork(store))

    first.process(subscription(), note("shared", message_id="fan-out"))
    outcome = second.process(subscription(), note("shared", message_id="fan-out"))

    assert not outcome.duplicate
    assert store.notes == ["shared", "shared"]


def test_the_handler_is_given_the_payload_as_the_schema_loads_it(processor):
    seen = []
    processor.process(subscription(lambda uow, payload, envelope: seen.append(payload)), note("with defaults"))

    assert seen == [{"text": "with defaults", "pages": 1}]


def test_without_a_schema_the_handler_is_given_the_body_as_it_came(processor):
    seen = []
    processor.process(subscription(lambda uow, payload, envelope: seen.append(payload), schema=None), note("raw", anything="goes"))

    assert seen == [{"text": "raw", "anything": "goes"}]


def test_a_message_the_schema_refuses_is_rejected_as_invalid_naming_every_fault(processor, store):
    handler = failing_with()
    outcome = processor.process(subscription(handler), Envelope("cp.events", "probe.note", {"pages": "many", "case_notes": "x"}, message_id="bad"))

    assert handler.attempts == []
    assert outcome.rejection["code"] == "invalid_message"
    assert set(outcome.rejection["details"]) == {"text", "pages", "case_notes"}
    assert outcome.rejection["message"].startswith("the message is not valid: ")
    assert store.notes == []


def test_a_message_the_schema_refuses_produces_the_subscriptions_feedback_for_its_sender(processor):
    outcome = processor.process(subscription(on_rejected=told_the_sender), note(message_id="bad", case_notes="not here"))

    assert [told.body for told in outcome.feedback] == [{"message_id": "bad", "faults": outcome.rejection}]
    assert "case_notes" in outcome.feedback[0].body["faults"]["details"]


def test_a_rejected_message_without_a_feedback_rule_tells_nobody(processor):
    outcome = processor.process(subscription(), note(case_notes="not here"))

    assert outcome.rejection is not None
    assert outcome.feedback == []


def test_a_broken_rule_is_rejected_with_its_own_code_at_the_first_attempt(processor, store):
    handler = failing_with(Conflict("that note is already held", code="note_exists"))
    outcome = processor.process(subscription(handler, on_rejected=told_the_sender), note("clash"))

    assert handler.attempts == ["m-1"]
    assert outcome.retry_after is None
    assert outcome.rejection == {"code": "note_exists", "kind": "conflict", "message": "that note is already held"}
    assert outcome.feedback[0].body["faults"] == outcome.rejection
    assert store.notes == []


def test_a_refused_message_is_not_remembered_so_it_can_be_replayed_once_the_fault_is_mended(processor, store):
    processor.process(subscription(failing_with(Conflict("not yet"))), note("later", message_id="replayed"))
    replay = processor.process(subscription(), note("later", message_id="replayed"))

    assert not replay.duplicate
    assert store.notes == ["later"]


@pytest.mark.parametrize("fault", [
    TransientError("serialisation conflict"),
    ConnectionError("connection reset"),
    TimeoutError("timed out"),
    OperationalError("SELECT 1", {}, Exception("server closed the connection")),
], ids=["TransientError", "ConnectionError", "TimeoutError", "OperationalError"])
def test_a_transient_fault_is_retried_after_the_policys_delay_and_then_handled(processor, store, fault):
    handler = failing_with(fault)
    outcomes = handled_until_settled(processor, subscription(handler), note("eventually"))

    assert handler.attempts == ["m-1", "m-1"]
    assert [outcome.retry_after for outcome in outcomes] == [DELAYS[0], None]
    assert outcomes[-1].rejection is None
    assert store.notes == ["eventually"]


def test_a_transient_fault_waits_each_delay_in_turn_before_the_next_attempt(processor):
    handler = failing_with(TimeoutError(), TimeoutError(), TimeoutError())
    outcomes = handled_until_settled(processor, subscription(handler), note())

    assert len(handler.attempts) == 4
    assert [outcome.retry_after for outcome in outcomes] == [*DELAYS, None]
    assert outcomes[-1].rejection is None


def test_a_transient_fault_that_never_clears_is_rejected_as_unavailable_after_every_delay(processor, store):
    handler = failing_with(*[ConnectionError("broker gone")] * 10)
    outcomes = handled_until_settled(processor, subscription(handler, on_rejected=told_the_sender), note("never"))

    assert len(handler.attempts) == len(DELAYS) + 1
    assert [outcome.retry_after for outcome in outcomes] == [*DELAYS, None]
    rejection = outcomes[-1].rejection
    assert rejection["code"] == "unavailable"
    assert "4 attempts" in rejection["message"] and "broker gone" in rejection["message"]
    assert outcomes[-1].feedback[0].body["faults"] == rejection
    assert store.notes == []


def test_a_retry_waits_nowhere_but_in_its_delay_queue(processor):
    handler = failing_with(TimeoutError())
    started = time.monotonic()

    outcome = processor.process(subscription(handler), note())

    assert outcome.retry_after == DELAYS[0] and time.monotonic() - started < DELAYS[0] / 2


def test_with_no_retry_delays_a_transient_fault_is_rejected_at_once(store):
    processor = MessageProcessor("probe", lambda reads_only=False, answering=None: FakeUnitOfWork(store), RetryPolicy(()))
    handler = failing_with(TransientError("busy"))

    outcome = processor.process(subscription(handler), note())

    assert len(handler.attempts) == 1
    assert outcome.retry_after is None
    assert outcome.rejection["code"] == "unavailable"


def test_the_work_of_a_failed_attempt_is_thrown_away_before_the_retry(processor, store):
    handled_until_settled(processor, subscription(failing_with(TransientError("lost"), TransientError("lost"))), note("kept once"))

    assert store.notes == ["kept once"]


def test_a_bug_in_a_handler_is_rejected_as_handler_failed_without_retry(processor, store):
    handler = failing_with(KeyError("child"))
    outcome = processor.process(subscription(handler, on_rejected=told_the_sender), note())

    assert handler.attempts == ["m-1"]
    assert outcome.retry_after is None
    assert outcome.rejection == {"code": "handler_failed", "message": "KeyError: 'child'"}
    assert outcome.feedback[0].body["faults"] == outcome.rejection
    assert store.notes == []


def test_a_request_that_answers_replies_with_the_handlers_result(processor):
    outcome = processor.process(subscription(failing_with(), answers=True), note("asked"))

    assert outcome.reply == {"result": {"noted": "asked"}}
    assert outcome.rejection is None


def test_a_request_is_answered_every_time_it_is_asked_and_not_remembered(processor, store):
    first = processor.process(subscription(failing_with(), answers=True), note("again", message_id="same"))
    second = processor.process(subscription(failing_with(), answers=True), note("again", message_id="same"))

    assert first.reply == second.reply == {"result": {"noted": "again"}}
    assert not second.duplicate
    assert store.processed == set()


def test_a_request_that_is_refused_replies_with_the_error_and_is_not_dead_lettered(processor):
    outcome = processor.process(subscription(failing_with(Conflict("taken")), answers=True, on_rejected=told_the_sender), note())

    assert outcome.reply == {"error": {"code": "conflict", "kind": "conflict", "message": "taken"}}
    assert outcome.rejection is None
    assert outcome.feedback == []


def test_an_invalid_request_replies_with_an_invalid_message_error(processor):
    outcome = processor.process(subscription(answers=True), Envelope("cp.rpc", "probe.note", {}, message_id="r-1"))

    assert outcome.reply["error"]["code"] == "invalid_message"
    assert "text" in outcome.reply["error"]["details"]
    assert outcome.rejection is None


def test_a_request_whose_handler_fails_replies_with_handler_failed(processor):
    outcome = processor.process(subscription(failing_with(ValueError("oops")), answers=True), note())

    assert outcome.reply == {"error": {"code": "handler_failed", "message": "ValueError: oops"}}


def test_a_request_that_fails_for_a_while_is_answered_unavailable_at_once_for_its_caller_to_ask_again(processor):
    handler = failing_with(TimeoutError())
    outcome = processor.process(subscription(handler, answers=True), note())

    assert outcome.reply["error"]["code"] == "unavailable"
    assert outcome.retry_after is None and handler.attempts == ["m-1"]


def test_a_request_that_only_reads_is_answered_in_a_unit_of_work_that_only_reads(store):
    asked_for = []

    def unit_of_work(reads_only: bool = False, answering=None) -> FakeUnitOfWork:
        asked_for.append(reads_only)
        return FakeUnitOfWork(store)

    processor = MessageProcessor("probe", unit_of_work, RetryPolicy(DELAYS))

    processor.process(subscription(answers=True, reads_only=True), note(message_id="m-1"))
    processor.process(subscription(answers=True), note(message_id="m-2"))

    assert asked_for == [True, False]


def refusing(keeping_work: bool):
    def handler(uow, payload, envelope):
        uow.notes.append(payload["text"])
        raise Conflict("refused on purpose").audited("audited: refused", keeping_work=keeping_work)

    return handler


def test_a_refusal_carrying_its_audit_commits_the_audit_and_not_what_the_handler_did(processor, store):
    outcome = processor.process(subscription(refusing(keeping_work=False)), note())

    assert outcome.rejection["code"] == "conflict"
    assert store.notes == ["audited: refused"]


def test_a_refusal_keeping_its_work_commits_both(processor, store):
    processor.process(subscription(refusing(keeping_work=True), answers=True), note())

    assert store.notes == ["hello", "audited: refused"]
