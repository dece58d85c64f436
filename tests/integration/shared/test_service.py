"""A running service: when one of its consumers cannot go on, the whole service stops and says why."""
import threading

import pytest
from kombu.exceptions import OperationalError

import shared.service
from services.audit.bootstrap import bootstrap as audit_service
from tests.support import free_port


def test_a_service_whose_broker_cannot_be_reached_stops_and_raises(migrated, monkeypatch):
    monkeypatch.setattr(shared.service, "CONNECT_ATTEMPTS", 1)
    service = audit_service(migrated.but(amqp_url=f"amqp://guest:guest@127.0.0.1:{free_port()}//"))
    stop = threading.Event()

    with pytest.raises(OperationalError):
        service.run(stop)

    assert stop.is_set()
