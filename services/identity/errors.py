"""Identity's refusals."""
from shared.errors import Conflict, Forbidden, InvalidRequest, NotAuthenticated, NotFound, Unavailable


class LoginFailed(NotAuthenticated, says="the username, password or one-time code is not right"):
    """One answer for every wrong factor, so a caller cannot tell which was wrong."""


class AccountBarred(Forbidden, says="{}; ask your LA administrator"):
    """Told only to someone who gave every factor right: why their account may not sign in now."""


class UsernameTaken(Conflict, says="an account named {!r} already exists"):
    """A username names one account for ever: the audit trail knows people by it."""


class UnknownAccount(NotFound, says="there is no account named {!r}"):
    """A username no account has."""


class NotYourAccounts(Forbidden):
    """An account, role or category that only another administrator (the national operator, another LA's) manages."""


class OwnAccount(Forbidden, code="own_account",
                 says="no one may change their own account's role, vetting, suspension or factors: ask another administrator"):
    """Changes to an account are always a second person's."""


class VettingRequired(InvalidRequest, says="a {} sees child records: --trained-on and --disclosure-on are required"):
    """A role that sees child records is not created without its vetting dates."""


class VettingNotCurrent(Conflict, code="vetting_lapsed", says="{}: record new vetting dates first"):
    """An account whose vetting has lapsed is not let sign in again until it is recorded anew."""


class WeakPassword(InvalidRequest, code="weak_password"):
    """Under 12 characters, a common password, or one holding the username."""


class EnrolmentNotValid(NotFound, code="enrolment_not_valid",
                        says="this enrolment link is not valid: it has been used, has expired or was replaced by a newer one; "
                             "ask your LA administrator for a new one"):
    """One answer for a link that never was, was used, expired or was replaced: the token is the only proof."""


class EnrolmentNotOpened(Conflict, code="enrolment_not_opened",
                         says="open the enrolment link first: it shows the authenticator secret the code must come from"):
    """A code is checked against the secret the link showed: before it is opened there is none."""


class WrongCode(InvalidRequest, code="wrong_code",
                says="otp: that code is not one of your authenticator's current codes; check the app's clock and type the code it shows now"):
    """The code typed at enrolment is not a current one of the secret the link last showed."""

    def __init__(self):
        super().__init__(details={"field": "otp"})


class MailFailed(Unavailable, code="mail_not_sent", says="the enrolment link could not be mailed, so the account was not changed: {}"):
    """The mail server did not take the enrolment link: the change it was for is rolled back."""


class PasskeyNotRegistered(InvalidRequest, code="passkey_refused"):
    """No such ceremony, another origin, no user verification, or a passkey registered already."""
