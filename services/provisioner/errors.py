"""The provisioner's refusals."""
from shared.errors import Conflict, NotFound


class NameTaken(Conflict, code="name_taken", says="{!r} is already the name of a user of the message broker: choose another"):
    """A broker user is never overwritten: not guest, a process's, another source's or a security team's."""


class NotOurs(NotFound, code="no_such_account", says="{!r} is no {}'s broker user"):
    """A broker user the provisioner did not make for this kind of account."""
