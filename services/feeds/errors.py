"""The feeds service's refusals."""
from shared.errors import Conflict, Forbidden, NotFound


class SourceNotAllowed(Forbidden):
    code = "source_not_allowed"


class SourceExists(Conflict):
    def __init__(self, source_id: str):
        super().__init__(f"a source named {source_id!r} is already registered")


class UnknownSource(NotFound):
    def __init__(self, source_id: str):
        super().__init__(f"no source named {source_id!r} is registered")
