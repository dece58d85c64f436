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


class UnknownTask(NotFound):
    def __init__(self, task_id: int):
        super().__init__(f"no review task {task_id}")


class UnknownChild(NotFound):
    def __init__(self, contactpoint_id: str):
        super().__init__(f"no child {contactpoint_id!r} is held")


class UnknownRecord(NotFound):
    def __init__(self, source_id: str, source_record_id: str):
        super().__init__(f"{source_id!r} holds no record {source_record_id!r}")


class ReviewRefused(Conflict):
    code = "review_refused"


class NotAReviewer(Forbidden):
    code = "not_a_reviewer"


class NotYourLA(Forbidden):
    code = "not_your_la"


class NotAnOperator(Forbidden):
    code = "not_an_operator"
