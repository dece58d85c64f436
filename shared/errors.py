"""The faults every service speaks of, sorted by what should happen next.

A ``DomainError`` is an answer (bad input, a broken rule): it goes back to the caller or,
for a message, to the dead-letter queue. A ``TransientError`` is worth retrying.
"""
from __future__ import annotations


class ContactPointError(Exception):
    """Anything the command line may show a person as one line."""


class ConfigurationError(ContactPointError):
    pass


class ServerUnreachable(ContactPointError):
    pass


class DomainError(ContactPointError):
    """A refusal with a stable code, safe to show to the caller."""

    code = "refused"
    # The audit events that say it was refused, and whether what was done before it stands: see ``audited``.
    audit: tuple = ()
    keeps_work = False

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def audited(self, *events, keeping_work: bool = False) -> DomainError:
        """This refusal, with the audit events that say it was refused: whoever runs the handler commits them before the
        refusal is answered (``UnitOfWork.refused``). What the handler did before refusing is rolled back, unless it is
        ``keeping_work``: a sign-in refused that counts towards the account's lock."""
        self.audit, self.keeps_work = events, keeping_work
        return self

    @property
    def kind(self) -> str:
        """Which of the shared kinds this refusal is, whatever a service calls its own subclass."""
        return next((kind.code for kind in KINDS if isinstance(self, kind)), DomainError.code)

    def as_dict(self) -> dict:
        answer = {"code": self.code, "kind": self.kind, "message": self.message}
        if self.details:
            answer["details"] = self.details
        return answer


class InvalidRequest(DomainError):
    code = "invalid_request"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Throttled(DomainError):
    code = "throttled"


class Unavailable(DomainError):
    """A dependency could not be reached; the caller may try again later."""

    code = "unavailable"


class TransientError(ContactPointError):
    """Worth retrying: a lost connection, a serialisation conflict, a timeout."""


# The kinds a refusal crosses the broker as; a service's own subclasses travel as their kind.
KINDS = (InvalidRequest, NotAuthenticated, Forbidden, NotFound, Conflict, Throttled, Unavailable)


def error_from(answer: dict) -> DomainError:
    """Rebuilds a refusal that crossed the broker as ``{"code", "kind", "message"}``."""
    kind = {kind.code: kind for kind in KINDS}.get(answer.get("kind", ""), DomainError)
    return kind(answer.get("message", "refused"), code=answer.get("code"), details=answer.get("details"))


def is_transient(exc: BaseException) -> bool:
    """Faults that another attempt may cure: lost connections, timeouts, serialisation conflicts."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, (TransientError, ConnectionError, TimeoutError, OperationalError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return type(exc).__module__.startswith("redis") and type(exc).__name__ in ("ConnectionError", "TimeoutError")


def first_fault(messages, path: str = "") -> str:
    """Marshmallow's nested faults as one line: ``field.sub: what is wrong``."""
    if isinstance(messages, dict) and messages:
        name, inner = next(iter(messages.items()))
        return first_fault(inner, f"{path}.{name}" if path else str(name))
    if isinstance(messages, list) and messages:
        return first_fault(messages[0], path)
    return f"{path}: {messages}" if path else str(messages)
