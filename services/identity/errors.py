"""Identity's refusals."""
from shared.errors import Conflict, Forbidden, InvalidRequest, NotAuthenticated, NotFound


class LoginFailed(NotAuthenticated):
    """One answer for every wrong factor, so a caller cannot tell which was wrong."""

    def __init__(self):
        super().__init__("the username, password or one-time code is not right")


class AccountBarred(Forbidden):
    """Told only to someone who gave every factor right: why their account may not sign in now."""

    def __init__(self, code: str, why: str):
        super().__init__(f"{why}; ask your LA administrator", code=code)


class UsernameTaken(Conflict):
    def __init__(self, username: str):
        super().__init__(f"an account named {username!r} already exists")


class UnknownAccount(NotFound):
    def __init__(self, username: str):
        super().__init__(f"there is no account named {username!r}")


class NotYourAccounts(Forbidden):
    def __init__(self, why: str):
        super().__init__(why)


class VettingRequired(InvalidRequest):
    def __init__(self, role: str):
        super().__init__(f"a {role} sees child records: --trained-on and --disclosure-on are required")


class VettingNotCurrent(Conflict):
    def __init__(self, why: str):
        super().__init__(f"{why}: record new vetting dates first", code="vetting_lapsed")


class WeakPassword(InvalidRequest):
    def __init__(self, why: str):
        super().__init__(why, code="weak_password")


class PasskeyNotRegistered(InvalidRequest):
    def __init__(self, why: str):
        super().__init__(why, code="passkey_refused")
