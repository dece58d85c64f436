"""The feeds service's refusals."""
from shared.errors import Conflict, Forbidden, NotFound


class SourceNotAllowed(Forbidden, code="source_not_allowed"):
    """A feed message routed for a source its sender may not speak for, or one of a kind the source was not registered for."""


class SourceExists(Conflict, says="a source named {!r} is already registered"):
    """A source id is registered once: its broker user and routing keys are its own."""


class UnknownSource(NotFound, says="no source named {!r} is registered"):
    """A source id that was never registered."""


class UnknownTask(NotFound, says="no review task {}"):
    """A review task id that was never made."""


class UnknownChild(NotFound, says="no child {!r} is held"):
    """A ContactPoint id the feeds service holds no child by."""


class UnknownRecord(NotFound, says="{!r} holds no record {!r}"):
    """A source record the source never sent, or has removed."""


class ReviewRefused(Conflict, code="review_refused"):
    """A review decided already, or one whose children's verified identifiers differ: no person may link them."""


class NotYourLA(Forbidden, code="not_your_la"):
    """The task, child or source is of a local authority other than the asker's."""
