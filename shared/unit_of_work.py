"""One unit of work per message or request: changes and emitted messages commit together, or not at all."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.db import ServiceDatabase, insert_rows
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import MessagingTables, outbox_row
from shared.messaging.publisher import Publisher


class UnitOfWork:
    session: Session

    def __init__(
        self,
        db: ServiceDatabase,
        tables: MessagingTables,
        publisher: Publisher,
        on_commit: Callable[[], None] = lambda: None,
    ):
        self._db = db
        self._tables = tables
        self._publisher = publisher
        self._on_commit = on_commit
        self._emitted = False
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._db.sessions()
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def emit(self, *envelopes: Envelope) -> None:
        """Sends these once the unit of work commits (through the outbox)."""
        self.session.execute(sa.insert(self._tables.outbox), [outbox_row(e) for e in envelopes])
        self._emitted = True

    def publish_now(self, *envelopes: Envelope) -> None:
        """Hands these to the broker before going on; raises ``Unavailable`` if it will not take them."""
        self._publisher.publish(*envelopes)

    def already_processed(self, consumer: str, message_id: str) -> bool:
        processed = self._tables.processed
        return self.session.execute(
            sa.select(processed.c.message_id).where(
                processed.c.consumer == consumer, processed.c.message_id == message_id
            )
        ).first() is not None

    def claim(self, consumer: str, message_ids: list[str]) -> set[str]:
        """Marks these messages processed by this consumer; returns those it had not handled before.

        One statement, answered by the primary key's unique index however stale the table's
        statistics are (a lookup with IN was planned as a scan of every message the consumer had seen).
        """
        processed = self._tables.processed
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        claimed = dialect.insert(processed).on_conflict_do_nothing().returning(processed.c.message_id)
        return set(insert_rows(self.session, claimed, [{"consumer": consumer, "message_id": m} for m in dict.fromkeys(message_ids)]).scalars())

    def mark_processed(self, consumer: str, message_id: str) -> None:
        self.session.execute(sa.insert(self._tables.processed).values(consumer=consumer, message_id=message_id))

    def commit(self) -> None:
        self.session.commit()
        self._committed = True
        if self._emitted:
            self._on_commit()
