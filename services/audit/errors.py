"""The audit service's refusals."""
from shared.errors import Forbidden


class AuditorsOnly(Forbidden):
    def __init__(self):
        super().__init__("only auditors may read the audit trail")
