"""The audit service's refusals."""
from shared.errors import Forbidden, NotFound


class AuditorsOnly(Forbidden):
    def __init__(self):
        super().__init__("only auditors may read the audit trail")


class UnknownAlert(NotFound):
    def __init__(self, alert_id: int):
        super().__init__(f"there is no alert {alert_id}")

