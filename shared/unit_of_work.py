"""One unit of work per message or request: changes and emitted messages commit together, or not at all."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from shared.contracts.audit import in_answer_to, numbered, settled
from shared.errors import DomainError, Unavailable
from shared.db import ServiceDatabase, append_rows, insert_rows
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
        reads_only: bool = False,
        answering: Envelope | None = None,  # the request this unit of work answers, if it answers one
    ):
        self._db = db
        self._tables = tables
        self._publisher = publisher
        self._on_commit = on_commit
        self._emitted: list[Envelope] = []
        self._committed = False
        self._after_commit: list[Callable[[], None]] = []
        self._reads_only = reads_only
        self._answering = answering
        self._published = 0

    def __enter__(self) -> UnitOfWork:
        self.session = (self._db.readers if self._reads_only else self._db.sessions)()
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def emit(self, *envelopes: Envelope) -> None:
        """Sends these once the unit of work commits (through the outbox, written at commit)."""
        if self._reads_only:
            raise TypeError("a unit of work that only reads has no transaction to send messages with: publish_now them")
        self._emitted.extend(envelopes)

    def publish_now(self, *envelopes: Envelope) -> None:
        """Hands these to the broker before going on; raises ``Unavailable`` if it will not take them.

        An audit event is numbered here, as it is handed on; if the broker fails to take it, its
        number may show as a gap, which is true: nobody can say whether the event arrived.
        """
        if self._answering is not None:
            envelopes = in_answer_to(self._answering, envelopes, first=self._published)
            self._published += len(envelopes)
        events = [numbered(e) for e in envelopes]
        try:
            self._publisher.publish(*events)
        except Unavailable:
            settled(events, confirmed=False)
            raise
        # A request delivered again may have been answered before: the store then holds these events already, by their ids,
        # and keeps none of these numbers, which the producer's next events say it cannot vouch for.
        settled(events, confirmed=not (self._answering is not None and self._answering.redelivered))

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
        claimed = postgresql.insert(processed).on_conflict_do_nothing().returning(processed.c.message_id)
        return set(insert_rows(self.session, claimed, [{"consumer": consumer, "message_id": m} for m in dict.fromkeys(message_ids)]).scalars())

    def mark_processed(self, consumer: str, message_id: str) -> None:
        self.session.execute(sa.insert(self._tables.processed).values(consumer=consumer, message_id=message_id))

    def after_commit(self, then: Callable[[], None]) -> None:
        """Does ``then`` once the unit of work has committed (a letter about what it changed); never if it rolls back."""
        self._after_commit.append(then)

    def refused(self, refusal: DomainError) -> None:
        """Commits what a refusal carries (``DomainError.audited``) before it is answered: its audit events, and, if it keeps
        it, what was done before it. A unit of work that only reads hands the events to the broker instead."""
        if not refusal.audit:
            return
        if self._reads_only:
            self.publish_now(*refusal.audit)
            return
        if not refusal.keeps_work:
            self.session.rollback()
            self._emitted, self._after_commit = [], []
        self.emit(*refusal.audit)
        self.commit()

    def commit(self) -> None:
        """Writes what was emitted to the outbox and commits it with the changes.

        Audit events are numbered only now, so a unit of work that rolls back uses up no
        numbers. Should the commit itself fail (the database failed), the numbers taken here
        show as a gap.
        """
        sending, self._emitted = self._emitted, []
        if sending:
            append_rows(self.session, self._tables.outbox, [outbox_row(numbered(e)) for e in sending])
        # One that only reads ran each statement on its own (``shared.db.READING``): it has no transaction to commit, and
        # SQLAlchemy's commit of none cost a search about 17 us of CPU (closing the session still returns its connection).
        if not self._reads_only:
            self.session.commit()
        self._committed = True
        if sending:
            self._on_commit()
        then, self._after_commit = self._after_commit, []
        for each in then:
            each()
