"""A probe service: the smallest service the plumbing can carry, with a table of its own."""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

import pytest

from shared.principals import ANYONE
import sqlalchemy as sa
from kombu import Queue
from marshmallow import Schema, fields

from shared.db import service_base
from shared.errors import Conflict, TransientError
from shared.messaging import topology
from shared.messaging.connection import connect
from shared.messaging.consumer import RetryPolicy, Subscription
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import messaging_tables
from shared.service import Request, Routes, build_service


# Short, so that a message's every retry is over in well under a second.
RETRY_DELAYS = (0.05, 0.1, 0.2)


class NoteSchema(Schema):
    text = fields.String(required=True)
    echo = fields.Boolean(load_default=False)
    fail_after_emit = fields.Boolean(load_default=False)
    fails_for_a_while = fields.Integer(load_default=0)  # times its handling fails as a lost connection would, then succeeds


@dataclass
class Probe:
    service: object
    work: Queue
    echoes: Queue
    feedback: Queue
    notes: sa.Table

    def publish(self, body: dict | bytes, message_id: str | None = None, routing_key: str | None = None, headers: dict | None = None) -> str:
        message_id = message_id or uuid.uuid4().hex
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with connect(self.service.settings) as connection:
            connection.Producer().publish(
                raw, exchange=topology.EVENTS.name, routing_key=routing_key or self.work.routing_key.replace("#", "note"),
                content_type="application/json", message_id=message_id, delivery_mode=2, headers=headers,
            )
        return message_id

    def drain(self, queue: Queue, timeout: float = 10.0) -> list:
        """Takes what waits in ``queue``, waiting up to ``timeout`` for the first message.

        Polls with basic.get so that a body which is not JSON is handed over undecoded.
        """
        taken = []
        with connect(self.service.settings) as connection:
            bound = queue(connection.default_channel)
            deadline = time.monotonic() + timeout
            quiet_until = None
            while True:
                message = bound.get(no_ack=True, accept=["json"])
                now = time.monotonic()
                if message is not None:
                    taken.append(message)
                    quiet_until = now + 0.3
                elif (quiet_until or deadline) < now:
                    return taken
                else:
                    time.sleep(0.02)

    def note_texts(self) -> list[str]:
        with self.service.db.sessions() as session:
            return list(session.scalars(sa.select(self.notes.c.text).order_by(self.notes.c.id)))


@pytest.fixture
def probe(migrated):
    name = f"probe_{uuid.uuid4().hex[:8]}"
    Base = service_base(name)
    tables = messaging_tables(Base.metadata)
    notes = sa.Table(name + "_notes", Base.metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String(200)))
    work = topology.work_queue(f"{name}.notes", topology.EVENTS, f"{name}.#")
    echoes = Queue(f"{name}.echoes", topology.EVENTS, routing_key=f"echo.{name}", durable=True)
    feedback = Queue(f"{name}.feedback", topology.FEEDBACK, routing_key=f"{name}.rejected", durable=True)

    attempts: dict[str, int] = {}

    def take_note(uow, note, envelope=None):
        if envelope is not None and note["fails_for_a_while"]:
            attempts[envelope.message_id] = attempts.get(envelope.message_id, 0) + 1
            if attempts[envelope.message_id] <= note["fails_for_a_while"]:
                raise TransientError(f"attempt {attempts[envelope.message_id]} lost its connection")
        uow.session.execute(sa.insert(notes).values(text=note["text"]))
        if note["echo"] or note["fail_after_emit"]:
            uow.emit(Envelope(exchange=topology.EVENTS.name, routing_key=f"echo.{name}", body={"text": note["text"]}))
        if note["fail_after_emit"]:
            raise Conflict("refused after emitting")
        return {"noted": note["text"]}

    def tell_sender(envelope, reason):
        return [Envelope(exchange=topology.FEEDBACK.name, routing_key=f"{name}.rejected", body={"message_id": envelope.message_id, "faults": reason})]

    routes = Routes(
        requests={f"{name}.note": Request(NoteSchema, take_note, ANYONE)},
        events=[Subscription(work, take_note, schema=NoteSchema, on_rejected=tell_sender)],
    )
    engine = sa.create_engine(migrated.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        Base.metadata.create_all(connection)
    engine.dispose()
    service = build_service(name, migrated, tables, routes)
    service.retry = RetryPolicy(RETRY_DELAYS)
    with connect(migrated) as connection:
        for queue in (work, topology.dead_letter_queue(work), topology.delay_queue(work), echoes, feedback, topology.rpc_queue(name)):
            queue(connection.default_channel).declare()
    yield Probe(service, work, echoes, feedback, notes)
    service.close()
