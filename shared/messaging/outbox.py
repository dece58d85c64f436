"""The transactional outbox: what a unit of work emits is written with its changes and sent after commit.

A relay in each service process publishes outbox rows with confirms and deletes them. A crash
between publish and delete sends a message twice, never loses it; consumers de-duplicate by
``message_id``.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import JSON, BigInteger, Column, DateTime, MetaData, String, Table, func

from shared.db import ServiceDatabase, one_of
from shared.errors import Unavailable
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    processed: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """The outbox and the record of consumed messages, in the service's own schema."""
    return MessagingTables(*(Table(name, metadata, *columns()) for name, columns in _MESSAGING_COLUMNS))


def create_messaging_tables(op, schema: str) -> None:
    """For a service's first migration: the same tables, made by Alembic."""
    for name, columns in _MESSAGING_COLUMNS:
        op.create_table(name, *columns(), schema=schema)


def _outbox_columns():
    return (
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("message_id", String(64), nullable=False),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(255), nullable=False),
        Column("type", String(100), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("body", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def _processed_columns():
    return (
        Column("consumer", String(100), primary_key=True),
        Column("message_id", String(128), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


_MESSAGING_COLUMNS = (("outbox", _outbox_columns), ("processed_messages", _processed_columns))


def outbox_row(envelope: Envelope) -> dict:
    return {
        "message_id": envelope.message_id,
        "exchange": envelope.exchange,
        "routing_key": envelope.routing_key,
        "type": envelope.type,
        "headers": envelope.headers,
        "body": envelope.body,
    }


class OutboxRelay:
    def __init__(self, db: ServiceDatabase, tables: MessagingTables, publisher: Publisher, batch: int = 500):
        self._db = db
        self.tables = tables
        self._outbox = tables.outbox
        # The body is read as the JSON text it is stored as, and sent so: not decoded only to be encoded again.
        self._stored = [*(column for column in self._outbox.c if column.name != "body"), sa.cast(self._outbox.c.body, sa.Text).label("body")]
        self._publisher = publisher
        self._batch = batch
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def flush(self) -> int:
        """Publishes everything waiting, oldest first; returns how many messages went."""
        sent = 0
        while True:
            with self._db.sessions.begin() as session:
                rows = session.execute(
                    sa.select(*self._stored)
                    .order_by(self._outbox.c.id)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    return sent
                self._publisher.publish(*(self._envelope(row) for row in rows))
                session.execute(sa.delete(self._outbox).where(one_of(self._outbox.c.id, [row.id for row in rows])))
            sent += len(rows)

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        while not stop.is_set():
            self._wake.wait(poll_seconds)
            self._wake.clear()
            try:
                self.flush()
            except (Unavailable, sa.exc.OperationalError) as exc:
                log.warning("outbox relay will try again: %s", exc)
                stop.wait(poll_seconds)

    @staticmethod
    def _envelope(row) -> Envelope:
        return Envelope(
            exchange=row.exchange, routing_key=row.routing_key, body=row.body.encode(),
            message_id=row.message_id, type=row.type, headers=row.headers or {},
        )
