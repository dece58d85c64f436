"""A session ends after 30 minutes unused, and 12 hours after sign-in however busy; here both are shortened to seconds,
for identity (which opens the session) and the portal (which checks it and restarts its idle clock)."""
import time

import pytest

from services.portal.bootstrap import create_app
from tests.integration.services.identity.identity_support import an_account, identity_alone, signed_in_token, still_signed_in
from tests.support import wait_until

pytestmark = pytest.mark.integration

IDLE_SECONDS, MAX_SECONDS = 3, 8


@pytest.fixture(scope="module")
def short_lived(migrated):
    return migrated.but(token_lifetime_seconds=IDLE_SECONDS, session_max_seconds=MAX_SECONDS)


@pytest.fixture(scope="module")
def services(short_lived):
    with identity_alone(short_lived) as running:
        yield running


@pytest.fixture(scope="module")
def http(short_lived, services):
    app = create_app(short_lived)
    yield app.test_client()
    portal = app.extensions["contactpoint"]
    client = getattr(portal.gateway._local, "client", None)  # the broker client of the one thread the test client serves in
    if client is not None:
        client.close()
    portal.revocations.close()


def test_a_token_unused_for_the_idle_timeout_stops_working(http, services):
    token = signed_in_token(http, an_account(services["identity"]))
    assert still_signed_in(http, token)

    # Polled more slowly than the idle timeout, so no poll keeps the session alive.
    wait_until(lambda: not still_signed_in(http, token), timeout=IDLE_SECONDS * 4, interval=IDLE_SECONDS + 1,
               what="the unused session to end")


def test_a_token_in_use_outlives_the_idle_timeout_but_not_the_hard_limit(http, services):
    token = signed_in_token(http, an_account(services["identity"]))
    signed_in_at = time.time()

    ended_at = wait_until(lambda: (not still_signed_in(http, token)) and time.time(), timeout=MAX_SECONDS * 3, interval=0.5,
                          what="the busy session to reach its hard limit")

    assert ended_at - signed_in_at > IDLE_SECONDS
