"""The feeds service's tables in memory, with its sources registered, and a unit of work that keeps what was emitted."""
from __future__ import annotations

import pytest

from services.feeds.models import Base, Source
from shared.messaging.envelope import Envelope


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
