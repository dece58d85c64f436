"""Sources on the real broker: registering one gives it a broker user of its own; disabling one revokes that user at once."""
import pytest
from amqp.exceptions import AccessRefused

from contactpoint.commands.common import operator
from shared.contracts.requests import DISABLE_SOURCE, LIST_SOURCES

pytestmark = pytest.mark.integration


def test_a_registered_source_connects_as_its_own_broker_user(source, broker_admin):
    with source.connection() as connection:
        connection.ensure_connection(max_retries=1)

        assert connection.connected
    assert broker_admin.user_exists(source.source_id)


def test_disabling_a_source_revokes_its_broker_user_at_once(services, source, broker_admin):
    services["feeds"].perform(DISABLE_SOURCE, {"source_id": source.source_id, "actor": operator()})

    with source.connection() as connection, pytest.raises(AccessRefused):
        connection.ensure_connection(max_retries=1)
    assert not broker_admin.user_exists(source.source_id)
    listed = {s["source_id"]: s for s in services["feeds"].perform(LIST_SOURCES, {"actor": operator()})}
    assert listed[source.source_id]["enabled"] is False
