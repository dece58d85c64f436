"""The services on the real servers: identity, directory, feeds and audit running in threads, the portal's test client,
and the people and partner systems that use them.

Services run for one test module at a time, so no other test folder ever meets them. Accounts
and sources are made through the same requests the command line performs (``users add``,
``sources add``), each under a unique name, so tests never share one.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import import_module

import pyotp
import pytest
from kombu import Producer, Queue

from contactpoint import partner
from contactpoint.commands.common import operator
from services.portal.bootstrap import create_app
from shared.contracts.requests import ADD_SOURCE, ADD_USER
from shared.messaging.connection import connect
from shared.messaging.publisher import publish_on
from shared.messaging.topology import FEEDS, FEEDS_PARTNER_MESSAGES, dead_letter_queue, feedback_queue
from shared.settings import Settings
from tests.integration.services.builders import a_feed_message
from tests.support import enrol, running, unique, wait_until

LA_CODE = "E08000035"
# Another LA, whose team may not act on what only the sources of LA_CODE hold.
OTHER_LA = "E06000014"
CATEGORY_OF = {
    "practitioner": "social_worker", "auditor": "security", "la_admin": "la_contactpoint_team", "approver": "la_contactpoint_team",
}


@pytest.fixture(scope="module")
def services(migrated: Settings, provisioner) -> Iterator[dict]:
    built = {name: import_module(f"services.{name}.bootstrap").bootstrap(migrated) for name in ("identity", "directory", "feeds", "audit")}
    with running(*built.values()):
        yield built


@pytest.fixture(scope="module")
def http(migrated: Settings, services):
    app = create_app(migrated)
    yield app.test_client()
    portal = app.extensions["contactpoint"]
    portal.gateway.close()  # the test client served in this thread
    portal.revocations.close()


# People ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    totp_secret: str
    role: str

    def otp(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


@dataclass
class SignedIn:
    """A person signed in to the portal: their requests carry their Bearer token."""

    http: object
    account: Account
    token: str

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **query):
        return self.http.get(path, query_string=query, headers=self.headers)

    def post(self, path: str, **kwargs):
        return self.http.post(path, headers=self.headers, **kwargs)


def an_enrolled_account(identity, role: str = "practitioner", *, la_code: str = LA_CODE, category: str | None = None,
                        vetted_on: str | None = None, username: str | None = None, mail=None) -> Account:
    """An account made as ``contactpoint users add`` makes it, then enrolled by its holder from the link it printed, or,
    where identity mails the link, from the letter ``mail`` (a ``tests.support.MailServer``) received."""
    vetted = vetted_on or time.strftime("%Y-%m-%d")
    created = identity.perform(ADD_USER, {
        "username": username or unique(role), "email": "holder@example.org", "la_code": la_code,
        "category": category or CATEGORY_OF[role], "role": role, "trained_on": vetted, "disclosure_on": vetted, "actor": operator(),
    })
    link = created["enrolment_url"] if mail is None else link_mailed_to(mail, created["username"])
    enrolled = enrol(link, identity.perform)
    return Account(created["username"], enrolled.password, enrolled.totp_secret, role)


def link_mailed_to(mail, username: str) -> str:
    """The enrolment link in the newest letter the mail server received about ``username``."""
    import re

    body = next(letter.get_content() for letter in reversed(mail.letters) if username in letter.get_content())
    return re.search(r"https?://\S+#\S+", body).group(0)


@pytest.fixture
def new_account(services):
    """Makes an account as ``contactpoint users add`` does, and enrols it as its holder would."""

    def make(role: str = "practitioner", **fields) -> Account:
        return an_enrolled_account(services["identity"], role, **fields)

    return make


@pytest.fixture
def log_in(http):
    """Tries to sign in as ``account``; any factor may be replaced with a wrong one."""

    def attempt(account: Account, *, username: str | None = None, password: str | None = None, otp: str | None = None):
        return http.post("/api/v1/auth/login", json={
            "username": username or account.username, "password": password or account.password, "otp": otp or account.otp(),
        })

    return attempt


@pytest.fixture
def sign_in(http, new_account, log_in):
    def signed_in(role: str, **fields) -> SignedIn:
        """Signed in as a new account of ``role``; ``fields`` as ``an_enrolled_account`` takes them (``la_code``, ``category``)."""
        account = new_account(role, **fields)
        answer = log_in(account)
        assert answer.status_code == 200, answer.get_json()
        return SignedIn(http, account, answer.get_json()["access_token"])

    return signed_in


@pytest.fixture
def practitioner(sign_in) -> SignedIn:
    return sign_in("practitioner")


@pytest.fixture
def auditor(sign_in) -> SignedIn:
    return sign_in("auditor")


@pytest.fixture
def la_team(sign_in) -> SignedIn:
    """The ContactPoint team (an ``la_admin``) of LA_CODE."""
    return sign_in("la_admin")


@pytest.fixture
def other_la_team(sign_in) -> SignedIn:
    return sign_in("la_admin", la_code=OTHER_LA)


# Partner systems -------------------------------------------------------------------------------


@dataclass
class Partner:
    """A partner system, connecting as its own broker user, as a real one would."""

    settings: Settings
    source_id: str
    password: str
    feedback: dict = field(default_factory=dict)

    def connection(self, as_user: str | None = None, password: str | None = None):
        return partner.source_connection(self.settings.amqp_url, as_user or self.source_id, password or self.password)

    def publish(self, message: dict) -> str:
        """Publishes as ``contactpoint feeds publish`` does; returns the message id."""
        with self.connection() as connection:
            connection.ensure_connection(max_retries=1)
            (sent,) = partner.publish(connection, [(self.source_id, message)])
        return sent.message_id

    def publish_as(self, message: dict, *, routing_key: str, user_id: str) -> str:
        """Publishes with a routing key and ``user_id`` of the test's choosing (what a misbehaving partner might try)."""
        envelope = replace(partner.feed_envelope(self.source_id, message), routing_key=routing_key, user_id=user_id)
        with self.connection() as connection:
            publish_on(connection.channel(), envelope)
        return envelope.message_id

    def publish_raw(self, body: bytes, kind: str = "school") -> str:
        message_id = unique("raw")
        with self.connection() as connection:
            Producer(connection.channel()).publish(
                body, exchange=FEEDS.name, routing_key=f"{self.source_id}.{kind}", user_id=self.source_id,
                message_id=message_id, content_type="application/json", delivery_mode=2,
            )
        return message_id

    def feedback_about(self, message_id: str) -> dict:
        """Waits for the feedback naming ``message_id`` in the source's own queue, reading it as the source."""
        with self.connection() as connection:
            queue = Queue(feedback_queue(self.source_id).name)(connection.default_channel)

            def told() -> dict | None:
                while (message := queue.get(no_ack=True, accept=["json"])) is not None:
                    self.feedback[message.payload["message_id"]] = {**message.payload, "routing_key": message.delivery_info["routing_key"]}
                return self.feedback.get(message_id)

            return wait_until(told, what=f"feedback on {message_id}")


@pytest.fixture
def register_source(services, migrated, broker_admin):
    """Registers sources as ``contactpoint sources add`` does; removes their broker users afterwards."""
    made = []

    def register(kinds: tuple[str, ...] = ("school",), la_code: str = LA_CODE) -> Partner:
        added = services["feeds"].perform(ADD_SOURCE, {
            "source_id": unique("src"), "name": "A test partner", "la_code": la_code, "kinds": list(kinds), "actor": operator(),
        })
        made.append(added["source_id"])
        return Partner(migrated, added["source_id"], added["amqp_password"])

    yield register
    for source_id in made:
        broker_admin.delete_user(source_id)


@pytest.fixture
def source(register_source) -> Partner:
    return register_source()


@pytest.fixture(scope="session")
def dead_letters(migrated):
    """Reads the feeds service's dead-letter queue, keeping what it took by message id for whichever test asks."""
    taken: dict[str, object] = {}
    queue = dead_letter_queue(FEEDS_PARTNER_MESSAGES)

    def dead_lettered(message_id: str):
        with connect(migrated) as connection:
            bound = Queue(queue.name)(connection.default_channel)

            def arrived():
                while (message := bound.get(no_ack=True)) is not None:
                    taken[message.properties.get("message_id")] = message
                return taken.get(message_id)

            return wait_until(arrived, what=f"{message_id} in {queue.name}")

    return dead_lettered


# Children -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldChild:
    """A child the directory holds: its id there, the NHS number a search finds it by, and the message its source sent."""

    contactpoint_id: str
    nhs_number: str
    message: dict


@pytest.fixture
def held_child(services, source) -> HeldChild:
    """A child a source has sent and the directory holds (checked in the directory's own store, so no search is audited)."""
    from services.directory.models import Child

    message = a_feed_message()
    told = source.feedback_about(source.publish(message))
    assert told["outcome"] == "accepted", told

    def held() -> bool:
        with services["directory"].db.sessions() as session:
            return session.get(Child, told["contactpoint_id"]) is not None

    wait_until(held, what="the directory to hold the child")
    return HeldChild(told["contactpoint_id"], message["child"]["identifiers"]["nhs_number"], message)
