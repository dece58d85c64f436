"""The disclosure service's refusals."""
from shared.errors import Conflict, Forbidden, NotFound


class RequestNotFound(NotFound, code="disclosure_not_found", says="no disclosure request {!r}"):
    """A request id that was never given."""


class ChildNotHeld(NotFound, says="no child with ContactPoint id {!r} is held"):
    """A disclosure is asked only about a child the disclosure store holds."""


class ApproversOnly(Forbidden, code="approvers_only", says="only an approver may approve or refuse a disclosure request"):
    """Deciding is an approver's alone."""


class OwnRequest(Forbidden, code="own_request",
                 says="a second person must decide: you cannot approve or refuse your own request"):
    """A disclosure is always two people's doing."""


class StandInApprover(Forbidden, code="same_creator",
                      says="a second person must decide: your account and the requester's were created by the same "
                           "administrator within {} days of each other"):
    """Two accounts one administrator made within a short time may be one person's: one may not approve the other."""


class OtherLocalAuthority(Forbidden, code="other_local_authority", says="this request was made in another local authority"):
    """An approver decides their own local authority's requests only."""


class AlreadyDecided(Conflict, code="already_decided", says="this request is already {}"):
    """A decision stands: a request is approved or refused once."""


class RequestersOnly(Forbidden, code="not_your_request", says="only the person who made the request may read what it discloses"):
    """What a request discloses is its requester's to read, no one else's."""


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
