"""What identity accepts."""
from marshmallow import Schema, fields, validate

from services.identity.categories import CATEGORIES, ROLES

USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{2,99}$", error="3-100 characters: lower-case letters, digits, '.', '_' or '-'")
CLIENT = fields.String(load_default="unknown", validate=validate.Length(max=100))


class AddUserSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))  # the holder's own: where their enrolment link goes
    la_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]\d{8}$", error="an ONS local authority code such as E08000035"))
    category = fields.String(required=True, validate=validate.OneOf(sorted(CATEGORIES)))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))
    client = CLIENT


class OpenEnrolmentSchema(Schema):
    """The holder opens their link: the token is their only proof, so no one signs in for it."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CompleteEnrolmentSchema(OpenEnrolmentSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))


class LogoutSchema(Schema):
    """Signing out ends the session of the token the request carries: nothing else to say."""


class ChangePasswordSchema(Schema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))
    client = CLIENT


class ListUsersSchema(Schema):
    la_code = fields.String(load_default=None, allow_none=True)


class AccountSchema(Schema):
    """A request about one account, by someone who may manage it."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SuspendUserSchema(AccountSchema):
    reason = fields.String(load_default="suspended by an administrator", validate=validate.Length(min=1, max=300))


class RecordVettingSchema(AccountSchema):
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)


class ScheduledSchema(Schema):
    """Scheduled work takes no arguments: who asks is the worker, as the broker says."""
