"""The provisioner's refusals."""
from shared.errors import Conflict, NotFound


class NameTaken(Conflict):
    code = "name_taken"

    def __init__(self, name: str):
        super().__init__(f"{name!r} is already the name of a user of the message broker: choose another")


class NotOurs(NotFound):
    code = "no_such_account"

    def __init__(self, name: str, kind: str):
        super().__init__(f"{name!r} is no {kind}'s broker user")
