"""Identity's refusals."""
from shared.errors import Conflict, InvalidRequest, NotAuthenticated


class LoginFailed(NotAuthenticated):
    """One answer for every wrong factor, so a caller cannot tell which was wrong."""

    def __init__(self):
        super().__init__("the username, password or one-time code is not right")


class UsernameTaken(Conflict):
    def __init__(self, username: str):
        super().__init__(f"an account named {username!r} already exists")


class VettingRequired(InvalidRequest):
    def __init__(self, role: str):
        super().__init__(f"a {role} sees child records: --trained-on and --disclosure-on are required")
