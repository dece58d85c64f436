"""One process's credentials do no more than its own job: every attack here is tried with the credentials an attacker
who took over that process would hold, and is refused by the broker (ACCESS_REFUSED), by the database, by Redis, or by
the service that receives it (an error answer, and an audit event) — while the legitimate path still works."""
from __future__ import annotations

from dataclasses import replace

import amqp
import psycopg
import pytest
import redis
from kombu import Queue
from sqlalchemy import select
from sqlalchemy.engine import make_url

from contactpoint.commands.common import operator
from services.audit.models import AuditRecord
from shared import tokens
from shared.contracts.audit import audit_event
from shared.contracts.children import child_merged
from shared.contracts.requests import (
    ADD_SOURCE, ADD_USER, CLOSE_SOURCE_ACCOUNT, DISABLE_SOURCE, DISCLOSE_CHILD, OPEN_SOURCE_ACCOUNT, OPEN_TEAM_ACCOUNT, SEARCH_CHILDREN,
    SUBSCRIBE_TEAM,
)
from shared.broker_admin import BrokerAdmin, BrokerAdminError
from shared.errors import Conflict, Forbidden, NotAuthenticated, NotFound, Unavailable
from shared.principals import PROCESSES
from shared.messaging.connection import connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher, publish_on
from shared.messaging.rpc import RpcClient
from shared.messaging.topology import AUDIT_EVENTS, DELAY, DIRECTORY_CHILD_UPDATES, FEEDS_PARTNER_MESSAGES, delay_queue
from shared.signing import new_private_key
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration

SEARCH = {"purpose": "safeguarding", "criteria": {"identifier": "9434765919"}}


@pytest.fixture
def as_portal(migrated):
    """Requests put on ``cp.rpc`` with the portal's own broker credentials, the most exposed of all."""
    client = RpcClient(lambda: connect(migrated.for_service("portal")))
    yield client
    client.close()


def refusals_audited(services, routing_key: str) -> list[dict]:
    with services["audit"].db.sessions() as session:
        return [record.event for record in session.scalars(select(AuditRecord).where(AuditRecord.action == "request_refused"))
                if record.event["subject"] == routing_key]


def refused_by_broker(attempt) -> None:
    with pytest.raises(amqp.exceptions.AccessRefused):
        attempt()


# Requests: the person's proof, checked by the service that answers ---------------------------------------------


def test_a_search_with_a_practitioners_token_is_answered(as_portal, practitioner):
    assert as_portal.call(SEARCH_CHILDREN, SEARCH, practitioner.token) == {"results": []}


def test_a_search_with_no_token_is_refused_and_the_refusal_audited(as_portal, services):
    with pytest.raises(NotAuthenticated):
        as_portal.call(SEARCH_CHILDREN, SEARCH)

    [refusal, *_] = wait_until(lambda: refusals_audited(services, SEARCH_CHILDREN), what="the refusal's audit event")
    assert refusal["service"] == "directory" and refusal["outcome"] == "refused"
    assert refusal["detail"]["sent_by"].endswith("cp-portal")


def test_a_search_with_a_token_signed_by_another_key_is_refused(as_portal, migrated):
    with redis.Redis.from_url(migrated.redis_url, decode_responses=True) as sessions:
        forged, _ = tokens.issue(new_private_key(), sessions, tokens.SessionLimits(600, 600), username="mallory", la_code="E08000035",
                                 role="practitioner", category="social_worker", sees_sensitive=True)

    with pytest.raises(NotAuthenticated, match="not valid"):
        as_portal.call(SEARCH_CHILDREN, SEARCH, forged)


def test_a_search_after_its_person_signed_out_is_refused(as_portal, practitioner):
    assert practitioner.post("/api/v1/auth/logout").status_code == 204

    with pytest.raises(NotAuthenticated, match="session has ended"):
        as_portal.call(SEARCH_CHILDREN, SEARCH, practitioner.token)


def test_who_asks_cannot_be_named_in_the_body(as_portal, practitioner):
    body = {**SEARCH, "actor": {"username": "someone.else", "la_code": "E09000001", "role": "approver", "sees_sensitive": True}}

    with pytest.raises(Exception, match="actor"):
        as_portal.call(SEARCH_CHILDREN, body, practitioner.token)


def test_an_account_cannot_be_made_without_an_administrators_token(as_portal):
    request = {"username": unique("stooge"), "email": "stooge@example.org", "la_code": "E08000035", "category": "social_worker",
               "role": "practitioner", "trained_on": "2026-01-01", "disclosure_on": "2026-01-01"}

    with pytest.raises(NotAuthenticated):
        as_portal.call(ADD_USER, request)
    with pytest.raises(Exception, match="actor"):
        as_portal.call(ADD_USER, {**request, "actor": operator()})


def test_a_practitioners_token_does_not_make_an_account(as_portal, practitioner):
    with pytest.raises(Forbidden, match="la_admin"):
        as_portal.call(ADD_USER, {"username": unique("stooge"), "email": "stooge@example.org", "la_code": "E08000035", "category": "social_worker",
                                  "role": "practitioner", "trained_on": "2026-01-01", "disclosure_on": "2026-01-01"}, practitioner.token)


def test_an_auditor_cannot_search_or_read_a_child(as_portal, auditor):
    with pytest.raises(Forbidden):
        as_portal.call(SEARCH_CHILDREN, SEARCH, auditor.token)


def test_a_security_team_cannot_be_subscribed_over_the_broker(as_portal, auditor):
    for token in (None, auditor.token):
        with pytest.raises((NotAuthenticated, Forbidden)):
            as_portal.call(SUBSCRIBE_TEAM, {"team_id": unique("spies"), "bindings": ["#"]}, token)


def test_an_invented_grant_discloses_nothing(as_portal, practitioner, held_child):
    for grant in ("not-a-grant", "eyJhbGciOiJFZERTQSJ9.eyJyZXF1ZXN0X2lkIjoieCJ9.c2ln"):
        with pytest.raises(Forbidden):
            as_portal.call(DISCLOSE_CHILD, {"grant": grant}, practitioner.token)


def test_a_grant_must_be_signed_by_the_disclosure_service(migrated, practitioner, held_child):
    """Even asked with the disclosure service's own broker user, a grant signed with any other key discloses nothing."""
    from datetime import datetime, timedelta, timezone

    from shared.contracts.disclosure import sign_grant

    forged = sign_grant(new_private_key(), {"request_id": unique("req"), "contactpoint_id": held_child.contactpoint_id,
                                            "ground": "court_order", "reference": "none", "requested_by": practitioner.username,
                                            "approved_by": "nobody"}, datetime.now(timezone.utc) + timedelta(hours=1))
    client = RpcClient(lambda: connect(migrated.for_service("disclosure")))
    try:
        with pytest.raises(Forbidden, match="grant"):
            client.call(DISCLOSE_CHILD, {"grant": forged}, practitioner.token)
    finally:
        client.close()


# The broker: each process's permissions ----------------------------------------------------------------------------


def test_the_portal_cannot_read_identitys_requests(migrated):
    with connect(migrated.for_service("portal")) as connection:
        refused_by_broker(lambda: Queue("identity.requests", no_declare=True)(connection.channel()).get())


def test_the_portal_cannot_delete_or_unbind_the_audit_queue(migrated):
    with connect(migrated.for_service("portal")) as connection:
        refused_by_broker(lambda: connection.channel().queue_delete(AUDIT_EVENTS.name))
    with connect(migrated.for_service("portal")) as connection:
        refused_by_broker(lambda: connection.channel().queue_unbind(AUDIT_EVENTS.name, "cp.audit", "#"))


def test_the_portal_cannot_publish_audit_events_or_merged_children(migrated):
    publisher = Publisher(lambda: connect(migrated.for_service("portal")))
    try:
        for envelope in (audit_event("directory", "read", subject="CP-FORGED"), child_merged({"contactpoint_id": "CP-X", "version": 10**9})):
            with pytest.raises(Exception, match="ACCESS_REFUSED"):
                publisher.publish(envelope)
    finally:
        publisher.close()


def test_a_service_cannot_read_another_services_delay_queue_nor_its_own(migrated):
    for queue in (DIRECTORY_CHILD_UPDATES, FEEDS_PARTNER_MESSAGES):  # only the broker takes a message out of a delay queue
        with connect(migrated.for_service("feeds")) as connection:
            refused_by_broker(lambda: Queue(delay_queue(queue).name, no_declare=True)(connection.channel()).get())


def test_a_service_delays_only_its_own_messages(migrated):
    publisher = Publisher(lambda: connect(migrated.for_service("feeds")))
    try:
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            publisher.publish(Envelope(exchange=DELAY.name, routing_key=DIRECTORY_CHILD_UPDATES.name, body={"contactpoint_id": "CP-X"}))
        with pytest.raises(Unavailable, match="reached no queue"):  # its own: the broker lets it by, and it comes back unrouted
            publisher.publish(Envelope(exchange=DELAY.name, routing_key="feeds.nowhere", body={}))
    finally:
        publisher.close()


def test_a_service_cannot_publish_another_services_audit_events(migrated):
    publisher = Publisher(lambda: connect(migrated.for_service("directory")))
    try:
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            publisher.publish(audit_event("identity", "account_created", subject="stooge"))
    finally:
        publisher.close()


def test_a_forged_event_sent_straight_to_the_audit_queue_is_refused_not_chained(migrated, services):
    """The default exchange reaches any queue by name; the audit service checks the sender the broker verified."""
    forged = audit_event("identity", "account_created", subject=unique("forged"))
    with connect(migrated.for_service("directory")) as connection:
        publish_on(connection.channel(), replace(forged, exchange="", routing_key=AUDIT_EVENTS.name))
    mine = audit_event("directory", "read", subject=unique("after"))
    publisher = Publisher(lambda: connect(migrated.for_service("directory")))
    publisher.publish(mine)
    publisher.close()

    def stored(event_id: str):
        with services["audit"].db.sessions() as session:
            return session.scalar(select(AuditRecord).where(AuditRecord.event_id == event_id))

    record = wait_until(lambda: stored(mine.message_id), what="the genuine event to be stored")
    assert record.sent_by == migrated.names.broker_user("directory")
    assert stored(forged.message_id) is None


def test_a_merged_child_not_from_feeds_is_refused(migrated, services, held_child):
    from services.directory.models import Child

    with services["directory"].db.sessions() as session:
        before = session.get(Child, held_child.contactpoint_id).version
    snapshot = Envelope(exchange="", routing_key=DIRECTORY_CHILD_UPDATES.name, body={"contactpoint_id": held_child.contactpoint_id,
                                                                                    "version": 10**9})
    with connect(migrated.for_service("identity")) as connection:
        publish_on(connection.channel(), snapshot)

    dead = Queue(f"{DIRECTORY_CHILD_UPDATES.name}.dead", no_declare=True)
    with connect(migrated) as connection:
        message = wait_until(lambda: dead(connection.default_channel).get(no_ack=True), what="the snapshot to be dead-lettered")
    assert "feeds" in message.headers["x-reason"]
    with services["directory"].db.sessions() as session:
        assert session.get(Child, held_child.contactpoint_id).version == before


# Names: no one takes another's broker user -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["guest", "service"])
def test_a_source_cannot_take_an_existing_broker_users_name(services, migrated, name):
    taken = "guest" if name == "guest" else migrated.names.broker_user("audit")

    with pytest.raises(Conflict):
        services["feeds"].perform(ADD_SOURCE, {"source_id": taken, "name": "impostor", "la_code": "E08000035", "kinds": ["school"],
                                                "actor": operator()})


def test_a_security_team_cannot_take_a_sources_name(services, source):
    with pytest.raises(Conflict):
        services["audit"].perform(SUBSCRIBE_TEAM, {"team_id": source.source_id, "bindings": ["#"], "actor": operator()})


# Broker users: made by the provisioner alone, each of the kind its asker may ask for -------------------------------


def asking_as(migrated, process: str) -> RpcClient:
    return RpcClient(lambda: connect(migrated.for_service(process)))


def test_only_the_provisioner_holds_the_brokers_administration_and_under_its_own_name(migrated):
    assert [p for p in PROCESSES if migrated.for_service(p).amqp_admin_url] == ["provisioner"]
    assert f"//{migrated.names.broker_user('provisioner')}:" in migrated.for_service("provisioner").amqp_admin_url


def test_feeds_and_audit_cannot_use_the_management_api(migrated):
    for process in ("feeds", "audit"):
        own = migrated.for_service(process)
        user, password = own.names.broker_user(process), own.password("BROKER", process)
        admin = BrokerAdmin(f"http://{user}:{password}@127.0.0.1:{migrated.amqp_admin_url.rsplit(':', 1)[1]}", migrated.vhost)
        with pytest.raises(BrokerAdminError, match="401"):
            admin.create_user(unique("backdoor"), "a password")


def test_feeds_cannot_ask_for_a_security_teams_account(migrated):
    client = asking_as(migrated, "feeds")
    try:
        refused_by_broker(lambda: client.call(OPEN_TEAM_ACCOUNT, {"team_id": unique("spies"), "bindings": ["#"]}))
    finally:
        client.close()


@pytest.mark.parametrize("process", ["portal", "directory", "identity"])
def test_no_other_process_may_ask_the_provisioner_for_a_source(migrated, process):
    client = asking_as(migrated, process)
    try:
        refused_by_broker(lambda: client.call(OPEN_SOURCE_ACCOUNT, {"source_id": unique("rogue")}))
    finally:
        client.close()


def test_a_person_cannot_ask_the_provisioner_even_through_feeds_credentials(migrated, provisioner, sign_in):
    """The provisioner answers services alone: a token, even an LA team's, is no way in."""
    la_admin = sign_in("la_admin")
    client = asking_as(migrated, "feeds")
    try:
        with pytest.raises(NotAuthenticated, match="answers no person"):
            client.call(OPEN_SOURCE_ACCOUNT, {"source_id": unique("rogue")}, la_admin.token)
    finally:
        client.close()


def test_closing_a_source_cannot_remove_a_security_teams_user(migrated, services, broker_admin):
    team_id = unique("soc")
    services["audit"].perform(SUBSCRIBE_TEAM, {"team_id": team_id, "bindings": ["#"], "actor": operator()})
    with pytest.raises(NotFound):
        services["feeds"].perform(DISABLE_SOURCE, {"source_id": team_id, "actor": operator()})
    client = asking_as(migrated, "feeds")
    try:
        with pytest.raises(NotFound):
            client.call(CLOSE_SOURCE_ACCOUNT, {"source_id": team_id})
    finally:
        client.close()
    assert broker_admin.user_exists(team_id)
    broker_admin.delete_user(team_id)


def test_closing_a_source_cannot_remove_a_user_the_provisioner_did_not_make(migrated, provisioner):
    client = asking_as(migrated, "feeds")
    try:
        with pytest.raises(NotFound):
            client.call(CLOSE_SOURCE_ACCOUNT, {"source_id": migrated.names.broker_user("audit")})
    finally:
        client.close()


# PostgreSQL: each service's role reaches its own schema alone --------------------------------------------------------


def connected_as(migrated, service: str) -> psycopg.Connection:
    url = make_url(migrated.for_service(service).database_url).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def test_the_directory_cannot_read_identitys_tables(migrated):
    with connected_as(migrated, "directory") as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute("SELECT * FROM identity.users")


def test_a_service_cannot_become_another_role(migrated):
    for role in (migrated.names.database_role("identity"), migrated.names.schema_owner, "postgres"):
        with connected_as(migrated, "directory") as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(f'SET ROLE "{role}"')


@pytest.mark.parametrize("statement", [
    "UPDATE audit.events SET action = 'nothing'",
    "DELETE FROM audit.events",
    "TRUNCATE audit.events",
    "ALTER TABLE audit.events DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
])
def test_the_audit_service_cannot_change_or_unprotect_what_it_stored(migrated, statement):
    with connected_as(migrated, "audit") as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(statement)


# Redis: only identity keeps sessions ---------------------------------------------------------------------------


def test_a_service_that_checks_sessions_cannot_make_or_read_anything_else(migrated):
    with redis.Redis.from_url(migrated.for_service("directory").redis_url, decode_responses=True) as client:
        with pytest.raises(redis.exceptions.NoPermissionError):
            client.set("cp:session:forged", "mallory")
        with pytest.raises(redis.exceptions.NoPermissionError):
            client.get("cp:login:fail:account:someone")
        assert client.getex("cp:session:none", ex=10) is None
