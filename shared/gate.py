"""The gate every message passes before its handler: who sent it, proven, and whether they may.

A request names its person only by the proof it carries: the person's access token in the AMQP
header ``authorization`` (``Bearer <token>``), which the gate checks itself (signature, expiry,
and that the session is still open). A service asking for itself is known by the ``user_id`` the
broker checked against the connection the message came on. Nothing in a message's body says who
is asking. An event is taken only from the processes its subscription names, by ``user_id`` too.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis

from shared import tokens
from shared.errors import Forbidden, NotAuthenticated
from shared.messaging.envelope import Envelope
from shared.principals import Askers, Names, service_actor

AUTHORIZATION = "authorization"
# The processes a message may come from: named once, or read from the message (an audit event names its service).
Senders = tuple[str, ...] | Callable[[Envelope], tuple[str, ...]]


def bearer_token(envelope: Envelope | None) -> str | None:
    """The access token a request carries, to ask another service for the same person; None where it carries none."""
    scheme, _, token = str((envelope.headers if envelope else {}).get(AUTHORIZATION, "")).partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class UnexpectedSender(Forbidden, code="unexpected_sender"):
    """An event from a broker user other than the processes its subscription takes it from."""


@dataclass(frozen=True)
class Gate:
    names: Names
    token_public_key: str = ""
    sessions: redis.Redis | None = None
    idle_seconds: int = 0

    def asker(self, askers: Askers, envelope: Envelope) -> dict | None:
        """The person or service asking, as proven; refuses (``NotAuthenticated``, ``Forbidden``) anyone else."""
        header = envelope.headers.get(AUTHORIZATION)
        if header:
            return self._person(askers, header)
        process = self.names.process_of(envelope.user_id)
        if process is not None and process in askers.services:
            return service_actor(process)
        if askers.anyone:
            return None
        if askers.roles:
            raise NotAuthenticated(f"this request must carry the person's access token: '{AUTHORIZATION}: Bearer <access_token>'")
        raise Forbidden(f"{envelope.routing_key} is not for {envelope.user_id or 'an unnamed sender'} to ask")

    def _person(self, askers: Askers, header: str) -> dict:
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(f"the '{AUTHORIZATION}' header must be 'Bearer <access_token>'")
        if self.sessions is None:
            raise NotAuthenticated("this service answers no person")
        actor = tokens.verify(self.token_public_key, token.strip(), self.sessions, self.idle_seconds)
        if actor.role not in askers.roles:
            raise Forbidden(f"this needs the role {' or '.join(askers.roles)}" if askers.roles else "this is not for a person to ask")
        return actor.as_dict()

    def check_sender(self, senders: Senders, envelope: Envelope) -> None:
        """Refuses a message that did not come from one of ``senders`` (processes), as the broker says."""
        if callable(senders):
            senders = senders(envelope)
        if senders and self.names.process_of(envelope.user_id) not in senders:
            raise UnexpectedSender(f"{envelope.routing_key} is taken only from {' or '.join(senders)}, "
                                   f"not from {envelope.user_id or 'an unnamed sender'}")
