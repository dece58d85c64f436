"""Identity's refusals."""
from shared.errors import Conflict, Forbidden, InvalidRequest, NotAuthenticated, NotFound, Unavailable


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


class OwnAccount(Forbidden):
    def __init__(self):
        super().__init__("no one may change their own account's role, vetting, suspension or factors: ask another administrator",
                         code="own_account")


class VettingRequired(InvalidRequest):
    def __init__(self, role: str):
        super().__init__(f"a {role} sees child records: --trained-on and --disclosure-on are required")


class VettingNotCurrent(Conflict):
    def __init__(self, why: str):
        super().__init__(f"{why}: record new vetting dates first", code="vetting_lapsed")


class WeakPassword(InvalidRequest):
    def __init__(self, why: str):
        super().__init__(why, code="weak_password")


class EnrolmentNotValid(NotFound):
    """One answer for a link that never was, was used, expired or was replaced: the token is the only proof."""

    def __init__(self):
        super().__init__("this enrolment link is not valid: it has been used, has expired or was replaced by a newer one; "
                         "ask your LA administrator for a new one", code="enrolment_not_valid")


class EnrolmentNotOpened(Conflict):
    def __init__(self):
        super().__init__("open the enrolment link first: it shows the authenticator secret the code must come from",
                         code="enrolment_not_opened")


class WrongCode(InvalidRequest):
    def __init__(self):
        super().__init__("otp: that code is not one of your authenticator's current codes; check the app's clock and type "
                         "the code it shows now", code="wrong_code", details={"field": "otp"})


class MailFailed(Unavailable):
    def __init__(self, why: str):
        super().__init__(f"the enrolment link could not be mailed, so the account was not changed: {why}", code="mail_not_sent")


class PasskeyNotRegistered(InvalidRequest):
    def __init__(self, why: str):
        super().__init__(why, code="passkey_refused")
