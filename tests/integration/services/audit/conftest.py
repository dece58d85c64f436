"""An audit store of a test's own (its own PostgreSQL database), events stored as the consumer stores them,
and a hand that changes the store behind the audit service's back, with triggers switched off."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime

import psycopg
import pytest
from sqlalchemy.engine import make_url

from contactpoint.provisioning import grant_own_schemas, provision
from services.audit.bootstrap import bootstrap
from services.audit.checkpoints import new_key
from shared.contracts.audit import audit_event
from shared.messaging.consumer import MessageProcessor
from shared.messaging.envelope import Envelope
from shared.migrations import upgrade
from shared.principals import Names
from shared.settings import Settings

ACTOR = {"username": "sam.patel", "la_code": "E08000035", "role": "practitioner", "category": "social_worker"}


def libpq_url(settings: Settings, database: str) -> str:
    url = make_url(settings.database_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def audit_store(migrated: Settings) -> Iterator[Settings]:
    """Settings whose database is new and holds only the audit service's schema, with a checkpoint key of their own."""
    name = f"cp_audit_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(migrated, "postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    own = migrated.but(database_url=make_url(migrated.database_url).set(database=name).render_as_string(hide_password=False),
                       checkpoint_key=new_key())
    provision(own)
    upgrade(own.database_url, services=("audit",), schema_owner=own.names.schema_owner)
    grant_own_schemas(own)
    try:
        yield own
    finally:
        with psycopg.connect(libpq_url(migrated, "postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def audit(audit_store: Settings, provisioner):
    service = bootstrap(audit_store)
    yield service
    service.close()


def as_received(envelope: Envelope, names: Names) -> Envelope:
    """The envelope as a consumer sees it after the broker: its body through JSON, sent by the service it names."""
    body = json.loads(envelope.encode())
    return Envelope(exchange=envelope.exchange, routing_key=envelope.routing_key, body=body,
                    message_id=envelope.message_id, type=envelope.type, user_id=names.broker_user(body["service"]))


@pytest.fixture
def store(audit):
    """Stores audit events through the audit service's own subscription, as its consumer would."""
    processor = MessageProcessor("audit", audit.unit_of_work, gate=audit.gate)
    (subscription,) = audit.routes.events

    def stored(*envelopes: Envelope) -> list[Envelope]:
        for envelope in envelopes:
            outcome = processor.process(subscription, as_received(envelope, audit.gate.names))
            assert outcome.rejection is None, outcome.rejection
        return list(envelopes)

    return stored


def lookups(count: int, actor: dict = ACTOR, child: str | None = None, at: datetime | None = None, **facts) -> list[Envelope]:
    """Reads by one practitioner (of ``count`` children, or of ``child`` again and again), numbered from 1 by a producer
    of their own, as a producer new to this store numbers them (this process's own numbering went on through other tests)."""
    producer = f"directory@{uuid.uuid4().hex[:8]}"
    made = []
    for n in range(1, count + 1):
        subject = child or f"CP-{n}"
        envelope = audit_event("directory", "read", actor=actor, purpose="safeguarding", subject=subject, contactpoint_ids=[subject], **facts)
        envelope.body.update(producer=producer, producer_seq=n)
        if at is not None:
            envelope.body["occurred_at"] = at.isoformat()
        made.append(envelope)
    return made


@pytest.fixture
def behind_the_back(audit_store: Settings):
    """Runs SQL on the audit store as a superuser with triggers switched off (replica role)."""

    def run(*statements: str) -> None:
        with psycopg.connect(libpq_url(audit_store, make_url(audit_store.database_url).database)) as connection:
            connection.execute("SET session_replication_role = replica")
            for statement in statements:
                connection.execute(statement)

    return run
