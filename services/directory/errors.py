"""The directory's refusals."""
from shared.errors import Forbidden, NotFound


class ChildNotFound(NotFound):
    def __init__(self, contactpoint_id: str):
        super().__init__(f"no child with ContactPoint id {contactpoint_id!r} is in the directory")


class NotYourLA(Forbidden):
    code = "not_your_la"
