"""A session over one service's own tables on the test server, for logic that reads through a session."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.orm import Session

from tests.support import tables_of_their_own


@pytest.fixture
def session_for(settings):
    """``session_for(Base)`` gives a session over a fresh schema holding ``Base``'s tables."""
    with contextlib.ExitStack() as opened:
        def open_session(base) -> Session:
            engine = opened.enter_context(tables_of_their_own(settings.database_url, base))
            return opened.enter_context(Session(engine, expire_on_commit=False))

        yield open_session
