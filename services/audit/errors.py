"""The audit service's refusals."""
from shared.errors import Conflict, Forbidden, NotFound


class AuditorsOnly(Forbidden):
    def __init__(self):
        super().__init__("only auditors may read the audit trail")


class UnknownAlert(NotFound):
    def __init__(self, alert_id: int):
        super().__init__(f"there is no alert {alert_id}")


class NameTaken(Conflict):
    code = "name_taken"

    def __init__(self, name: str):
        super().__init__(f"{name!r} is already the name of a user of the message broker: choose another team id")
