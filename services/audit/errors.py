"""The audit service's refusals."""
from shared.errors import NotFound


class UnknownAlert(NotFound, says="there is no alert {}"):
    """An alert id the audit service never raised."""
