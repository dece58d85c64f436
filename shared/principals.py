"""Who is who inside ContactPoint: each process's own name on every server, and who may put each request.

Every service connects to RabbitMQ, PostgreSQL and Redis as a user of its own, so that a process
taken over can do no more than its own job. Users and roles are server-wide, so their names carry
an optional prefix (``CP_NAME_PREFIX``) that keeps deployments and test runs sharing one server apart.

A request is put by a person, proven by their signed access token; by a service asking for
itself, proven by the ``user_id`` the broker checked against the connection it came on; or, for
signing in alone, by anyone. ``Askers`` says which, once per request, in the answering service's
routing table.
"""
from __future__ import annotations

from dataclasses import dataclass

# Every process ``contactpoint up`` runs, each under a name of its own.
PROCESSES = ("identity", "directory", "feeds", "audit", "disclosure", "provisioner", "portal", "worker", "scheduler")
# Those that answer requests on ``cp.rpc``, each from a queue of its own, and keep their own schema.
ANSWERING = ("identity", "directory", "feeds", "audit", "disclosure", "provisioner")
WITH_DATA = ANSWERING
# Those that answer people (the provisioner answers only services).
PERSON_FACING = ("identity", "directory", "feeds", "audit", "disclosure")
# Those that check a person's session (or keep sessions, identity) in Redis.
WITH_SESSIONS = (*PERSON_FACING, "portal")
# The one that creates and removes broker users (partner systems', security teams'): a broker administrator
# that takes requests from feeds and audit alone, and holds nothing else (no person's data, no secret).
WITH_BROKER_ADMINISTRATION = ("provisioner",)

# The roles identity gives people: every request that a person may put names some of them as its askers.
PRACTITIONER, LA_ADMIN, AUDITOR, APPROVER = "practitioner", "la_admin", "auditor", "approver"
ROLES = (PRACTITIONER, LA_ADMIN, AUDITOR, APPROVER)
# Those who read child records.
READERS = (PRACTITIONER, APPROVER)

# The role of the command line's operator and of the scheduler: never in a token (identity issues none).
OPERATOR = "operator"
# The role a service asking for itself is named by in audit events.
SERVICE = "service"


@dataclass(frozen=True)
class Names:
    """The server-wide names of one deployment's processes."""

    prefix: str = ""

    def broker_user(self, process: str) -> str:
        return f"{self.prefix}cp-{process}"

    def database_role(self, process: str) -> str:
        return f"{self.prefix}cp_{process}"

    def redis_user(self, process: str) -> str:
        return f"{self.prefix}cp-{process}"

    @property
    def schema_owner(self) -> str:
        """The role that owns every schema, its tables and triggers; only ``migrate`` acts as it."""
        return f"{self.prefix}cp_owner"

    @property
    def reserved(self) -> set[str]:
        """Broker user names no partner system or security team may take."""
        return {"guest", *(self.broker_user(process) for process in PROCESSES)}

    def process_of(self, broker_user: str | None) -> str | None:
        """The process a broker user is, or None for anyone else (a partner system, a security team, an administrator)."""
        return next((process for process in PROCESSES if broker_user == self.broker_user(process)), None)


@dataclass(frozen=True)
class Askers:
    """Who may put a request: people of some roles, services asking for themselves, the operator in process, or anyone."""

    roles: tuple[str, ...] = ()  # people holding these roles, by their token
    services: tuple[str, ...] = ()  # services asking for themselves over the broker, by its user_id
    operator: bool = False  # the command line, acting in its own process with the operator's credentials
    anyone: bool = False  # no one is signed in yet: signing in

    def __or__(self, other: Askers) -> Askers:
        return Askers(tuple(dict.fromkeys(self.roles + other.roles)), tuple(dict.fromkeys(self.services + other.services)),
                      self.operator or other.operator, self.anyone or other.anyone)


def people(*roles: str) -> Askers:
    return Askers(roles=roles)


def services(*names: str) -> Askers:
    return Askers(services=names)


OPERATOR_ONLY = Askers(operator=True)
ANY_PERSON = Askers(roles=ROLES)
ANYONE = Askers(anyone=True)
# Scheduled work: asked by the worker on the scheduler's word, or by an operator at the command line.
SCHEDULED = Askers(services=("worker",), operator=True)


def service_actor(process: str) -> dict:
    """How audit events name a service that asked for itself."""
    return {"username": f"service:{process}", "la_code": "national", "role": SERVICE, "category": None, "sees_sensitive": False}
