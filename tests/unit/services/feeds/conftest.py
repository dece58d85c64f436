"""The feeds service's tables in memory, with its sources registered, a unit of work that keeps what was emitted, and an
open review task."""
from __future__ import annotations

import pytest

from services.feeds.models import Base, ReviewTask, Source
from shared.messaging.envelope import Envelope
from tests.unit.services.feeds.feeding import body, receive, unsure_match


class FakeUnitOfWork:
    """A session of the service's own tables, and what was emitted, kept for the test to read."""

    def __init__(self, session):
        self.session = session
        self.emitted: list[Envelope] = []

    def emit(self, *envelopes: Envelope) -> None:
        self.emitted.extend(envelopes)


@pytest.fixture
def uow(session_for) -> FakeUnitOfWork:
    session = session_for(Base)
    session.add_all([
        Source(source_id="yot-leeds", name="Leeds YOT", la_code="E08000035", kinds=["youth_offending"], enabled=True),
        Source(source_id="school-mis", name="School MIS", la_code="E08000035", kinds=["school"], enabled=True),
        Source(source_id="retired", name="Retired system", la_code=None, kinds=["health"], enabled=False),
    ])
    session.flush()
    return FakeUnitOfWork(session)


@pytest.fixture
def task(uow) -> ReviewTask:
    """The review task an unsure match opens: it waits for a person to link or separate the two children."""
    receive(uow, body())
    receive(uow, unsure_match(), source_id="school-mis", kind="record", message_id="m-2")
    [open_task] = uow.session.query(ReviewTask).all()
    return open_task
