"""The disclosure service's refusals."""
from shared.errors import Conflict, Forbidden, NotFound


class RequestNotFound(NotFound):
    def __init__(self, request_id: str):
        super().__init__(f"no disclosure request {request_id!r}", code="disclosure_not_found")


class ChildNotHeld(NotFound):
    def __init__(self, contactpoint_id: str):
        super().__init__(f"no child with ContactPoint id {contactpoint_id!r} is held", code="not_found")


class ApproversOnly(Forbidden):
    def __init__(self):
        super().__init__("only an approver may approve or refuse a disclosure request", code="approvers_only")


class OwnRequest(Forbidden):
    def __init__(self):
        super().__init__("a second person must decide: you cannot approve or refuse your own request", code="own_request")


class StandInApprover(Forbidden):
    """Two accounts one administrator made within a short time may be one person's: one may not approve the other."""

    def __init__(self, days: int):
        super().__init__(f"a second person must decide: your account and the requester's were created by the same administrator "
                         f"within {days} days of each other", code="same_creator")


class OtherLocalAuthority(Forbidden):
    def __init__(self):
        super().__init__("this request was made in another local authority", code="other_local_authority")


class AlreadyDecided(Conflict):
    def __init__(self, status: str):
        super().__init__(f"this request is already {status}", code="already_decided")


class RequestersOnly(Forbidden):
    def __init__(self):
        super().__init__("only the person who made the request may read what it discloses", code="not_your_request")


class NotReadable(Forbidden):
    """The request does not (or no longer) let its record be read: pending, refused, expired or read."""

    MESSAGES = {
        "pending": "this request has not been approved",
        "refused": "this request was refused",
        "expired": "the time to read this disclosure has passed",
        "read": "this disclosure has already been read; it is read once",
    }

    def __init__(self, status: str):
        super().__init__(self.MESSAGES[status], code=f"disclosure_{status}")
