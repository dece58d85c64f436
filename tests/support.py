"""Helpers for tests of every tier: waiting without bare sleeps, running services, unique names."""
from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from shared.contracts.requests import COMPLETE_ENROLMENT, OPEN_ENROLMENT
from shared.db import make_engine
from shared.settings import Settings


def environment_for(settings: Settings) -> dict[str, str]:
    """This process's environment with the CP_* variables that give a child process these settings."""
    return {**os.environ, **settings.as_environment()}


def wait_until(check: Callable[[], object], timeout: float = 15.0, interval: float = 0.1, what: str = "the condition"):
    """Polls ``check`` until it returns something truthy, or fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout}s")
        time.sleep(interval)


@contextlib.contextmanager
def running(*services) -> Iterator[None]:
    """Runs services in threads for the length of a test, and stops them."""
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(stop,), daemon=True) for s in services]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


@dataclass(frozen=True)
class Enrolled:
    password: str
    totp_secret: str


# The portal's paths for identity's enrolment requests, as a holder's browser puts them.
ENROLMENT_PATHS = {OPEN_ENROLMENT: "/api/v1/enrolment", COMPLETE_ENROLMENT: "/api/v1/enrolment/complete"}


def enrol(enrolment_url: str, ask: Callable[[str, dict], dict]) -> Enrolled:
    """What an account's holder does with their link: opens it, chooses a password and registers the secret with a code.

    ``ask(request, body)`` puts identity's enrolment requests (``OPEN_ENROLMENT``, ``COMPLETE_ENROLMENT``) the way the
    tier under test reaches identity, and gives the answer. The code given is of the time step before now (identity
    allows a step of drift), so that a sign-in straight after, with the code of now, is not refused as a code used before.
    """
    token = enrolment_url.split("#", 1)[1]
    secret = ask(OPEN_ENROLMENT, {"token": token})["totp_secret"]
    password = "held-" + secrets.token_urlsafe(12)
    ask(COMPLETE_ENROLMENT, {"token": token, "password": password, "otp": code_of_the_step_before(secret)})
    return Enrolled(password, secret)


def code_of_the_step_before(totp_secret: str) -> str:
    """The code of the time step before now, which identity accepts (a step of drift) until the current step ends: given
    where a code of now would be the next sign-in's, waiting for a step with seconds to spare."""
    import pyotp

    totp = pyotp.TOTP(totp_secret)
    wait_until(lambda: time.time() % totp.interval < totp.interval - 3, timeout=5, what="a time step with seconds to spare")
    return totp.at((int(time.time() // totp.interval) - 1) * totp.interval)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def unique_name(prefix: str) -> str:
    """A person's name no other test uses, of letters alone: feeds refuse a name with a digit in it."""
    return prefix + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def every_page(service, request: str, limit: int, actor: dict) -> list[dict]:
    """The answers to a paged request, performed page after page until one has no ``next_after``."""
    pages = [service.perform(request, {"limit": limit, "actor": actor})]
    while pages[-1]["next_after"] is not None:
        pages.append(service.perform(request, {"after": pages[-1]["next_after"], "limit": limit, "actor": actor}))
    return pages


@contextlib.contextmanager
def tables_of_their_own(database_url: str, base: type[DeclarativeBase]) -> Iterator[sa.Engine]:
    """An engine on which ``base``'s tables live in a fresh schema of their own, dropped on leaving: tests never share rows."""
    schema = f"{base.metadata.schema}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url, schema).execution_options(schema_translate_map={base.metadata.schema: schema})
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            base.metadata.create_all(connection)
        yield engine
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


class MailServer:
    """An SMTP server (aiosmtpd) that keeps every letter it is sent; ``url`` is what ``CP_SMTP_URL`` takes."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from contactpoint.sandbox import free_port

        self.letters: list = []
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._controller.port}"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's handler name
        import email
        from email import policy

        self.letters.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 kept"

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

