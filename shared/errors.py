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
    """A refusal with a stable code, safe to show to the caller.

    A kind of refusal is said in its class line: ``class UnknownSource(NotFound, says="no source named {!r} is registered")``.
    ``code`` names it to callers (its kind's when not given); ``says`` is its message, with a ``{}`` for each argument it is
    raised with (a refusal that says nothing of its own is raised with its message).
    """

    code = "refused"
    says = "{}"
    # The audit events that say it was refused, and whether what was done before it stands: see ``audited``.
    audit: tuple = ()
    keeps_work = False

    def __init_subclass__(cls, code: str = "", says: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.code = code or cls.code
        cls.says = says or cls.says

    def __init__(self, *facts, code: str | None = None, details: dict | None = None):
        self.message = self.says.format(*facts)
        super().__init__(self.message)
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


class InvalidRequest(DomainError, code="invalid_request"):
    """The request itself is wrong: a field missing or malformed, criteria too weak.

    Its message begins with the field it is about, where there is one (``family_name must be ...``).
    """


class NotAuthenticated(DomainError, code="not_authenticated"):
    """No one proved who they are: no token, or one that has expired or ended."""


class Forbidden(DomainError, code="forbidden"):
    """The asker is known, and may not do this."""


class NotFound(DomainError, code="not_found"):
    """What the request names is not held: no such child, account, review task, alert or source."""


class Conflict(DomainError, code="conflict"):
    """What the request would do contradicts what is held: taken already, decided already."""


class Throttled(DomainError, code="throttled"):
    """Too many attempts too fast.

    ``details`` may say after how many seconds to try again (``retry_after``).
    """


class Unavailable(DomainError, code="unavailable"):
    """A dependency could not be reached; the caller may try again later."""


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
