"""An in-memory SQLite session over one service's own tables, for logic that reads through a session."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool


@pytest.fixture
def session_for():
    """``session_for(Base)`` gives a session over a fresh in-memory database holding ``Base``'s tables."""
    opened = []

    def open_session(base) -> Session:
        engine = create_engine("sqlite://", poolclass=StaticPool).execution_options(
            schema_translate_map={base.metadata.schema: None}
        )
        base.metadata.create_all(engine)
        session = Session(engine, expire_on_commit=False)
        opened.append((session, engine))
        return session

    yield open_session
    for session, engine in opened:
        session.close()
        engine.dispose()
