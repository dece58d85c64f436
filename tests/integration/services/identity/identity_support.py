"""What the identity tests share: identity running alone (so no other service's state matters), accounts in any LA,
sign-in attempts from a client address of the test's own, and identity's audit events as a security team reads them."""
from __future__ import annotations

import contextlib
import time
import uuid
from datetime import date

import pyotp
import pytest
import sqlalchemy as sa
from kombu import Queue

from services.identity.bootstrap import bootstrap as identity_service
from shared.messaging.connection import connect
from shared.messaging.topology import AUDIT
from shared.settings import Settings
from tests.integration.services.conftest import LA_CODE, Account, an_enrolled_account
from tests.support import MailServer, running, unique, wait_until

OTHER_LA = "E08000036"


@contextlib.contextmanager
def identity_alone(settings: Settings):
    services = {"identity": identity_service(settings)}
    with running(*services.values()):
        yield services


def an_address() -> str:
    """A client address no other test signs in from, so one test's failures never throttle another's."""
    return "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])


def an_account(identity, role: str = "practitioner", *, la_code: str = LA_CODE, vetted_on: date | None = None,
               mail=None) -> Account:
    return an_enrolled_account(identity, role, la_code=la_code, vetted_on=vetted_on.isoformat() if vetted_on else None,
                               mail=mail)


def give_email(settings: Settings, username: str, email: str | None) -> None:
    """Records the holder's address as enrolment will (accounts made before it have none)."""
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE identity.users SET email = :email WHERE username = :username"),
                               {"email": email, "username": username})
    finally:
        engine.dispose()


def a_wrong_code(totp_secret: str) -> str:
    """A six-digit code that no time step near now accepts."""
    totp, now = pyotp.TOTP(totp_secret), time.time()
    near_now = {totp.at(now + steps * totp.interval) for steps in range(-2, 3)}
    return next(code for code in (f"{n:06d}" for n in range(10)) if code not in near_now)


_last_step_used: dict[str, int] = {}


def a_fresh_code(totp_secret: str) -> str:
    """A code no sign-in has used: of this time step or the next (identity accepts one step of drift), else waits."""
    totp = pyotp.TOTP(totp_secret)

    def unused_step() -> int | None:
        now = int(time.time() // totp.interval)
        return next((step for step in (now, now + 1) if step > _last_step_used.get(totp_secret, 0)), None)

    step = wait_until(unused_step, timeout=2 * totp.interval, interval=0.5, what="a one-time code not used before")
    _last_step_used[totp_secret] = step
    return totp.at(step * totp.interval)


def log_in(http, account: Account, *, client: str, username: str | None = None, password: str | None = None,
           otp: str | None = None):
    """Signs in from ``client``; with no factor replaced, the code is one not used before."""
    if otp is None:
        right = username is None and password is None
        otp = a_fresh_code(account.totp_secret) if right else pyotp.TOTP(account.totp_secret).now()
    return http.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": client}, json={
        "username": username or account.username, "password": password or account.password, "otp": otp,
    })


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def signed_in_token(http, account: Account) -> str:
    answer = log_in(http, account, client=an_address())
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["access_token"]


def still_signed_in(http, token: str) -> bool:
    answer = http.get("/api/v1/auth/session", headers=bearer(token))
    assert answer.status_code in (200, 401), answer.get_json()
    return answer.status_code == 200


class AuditReader:
    """Identity's audit events from ``cp.audit``, read through a queue of the test's own as a security team would."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._queue = Queue(unique("test.identity-audit"), AUDIT, routing_key="*.identity.*", auto_delete=False, durable=False)
        self.events: list[dict] = []
        with connect(settings) as connection:
            self._queue(connection.default_channel).declare()

    def about(self, username: str, action: str) -> dict:
        def found():
            with connect(self._settings) as connection:
                bound = self._queue(connection.default_channel)
                while (message := bound.get(no_ack=True, accept=["json"])) is not None:
                    self.events.append(message.payload)
            return next((e for e in self.events if e["action"] == action and username in (
                e.get("subject"), (e.get("actor") or {}).get("username"))), None)

        return wait_until(found, what=f"the audit event {action} about {username}")

    def close(self) -> None:
        with connect(self._settings) as connection:
            self._queue(connection.default_channel).delete()


# Fixtures for the modules that run identity alone; each imports those it uses.

@pytest.fixture(scope="module")
def services(migrated):
    with identity_alone(migrated) as running:
        yield running


@pytest.fixture(scope="module")
def identity(services):
    return services["identity"]


@pytest.fixture(scope="module")
def mail():
    """A mail server for the module's identity to send its letters to (``smtp_url=mail.url``)."""
    with MailServer() as server:
        yield server


@pytest.fixture(scope="module")
def audit(migrated):
    reader = AuditReader(migrated)
    yield reader
    reader.close()
