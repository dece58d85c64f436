"""The directory's refusals."""
from shared.errors import Forbidden, NotFound


class ChildNotFound(NotFound, says="no child with ContactPoint id {!r} is in the directory"):
    """A child never held, or no longer in the directory: a reader is told the same of both."""


class NotYourLA(Forbidden, code="not_your_la"):
    """What only another local authority's ContactPoint team may change."""
