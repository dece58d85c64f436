"""What identity accepts, beyond its account requests' contract (``shared/contracts/identity.py``)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.identity.categories import CATEGORIES
from shared.contracts.identity import NewAccountSchema, SuspensionSchema, VettingSchema

CLIENT = fields.String(load_default="unknown", validate=validate.Length(max=100))


class AddUserSchema(NewAccountSchema):
    """A new account, of the LA the portal says is its administrator's (or an operator names), in one of the categories."""

    la_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]\d{8}$", error="an ONS local authority code such as E08000035"))
    category = fields.String(required=True, validate=validate.OneOf(sorted(CATEGORIES)))


class PasskeyAnswerSchema(Schema):
    """A browser's answer to a passkey ceremony: the ceremony's id as its options gave it, and the credential as
    ``navigator.credentials`` made it (PublicKeyCredential's JSON form)."""

    ceremony = fields.String(required=True, validate=validate.Length(min=1, max=100))
    credential = fields.Dict(required=True)


class SecondFactorSchema(Schema):
    """A one-time code, or a passkey's answer: exactly one of them."""

    otp = fields.String(load_default=None, validate=validate.Length(min=1, max=10))
    passkey = fields.Nested(PasskeyAnswerSchema, load_default=None)

    @validates_schema
    def _one_second_factor(self, data, **kwargs):
        if (data.get("otp") is None) == (data.get("passkey") is None):
            raise ValidationError("give either a one-time code (otp) or a passkey's answer (passkey)", "otp")


class LoginSchema(SecondFactorSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    client = CLIENT


class OpenEnrolmentSchema(Schema):
    """The holder opens their link: the token is their only proof, so no one signs in for it."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CompleteEnrolmentSchema(OpenEnrolmentSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))


class PasskeySignInOptionsSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    client = CLIENT


class PasskeyRegistrationOptionsSchema(Schema):
    """The signed-in holder registers a passkey for their own account: nothing else to say."""


class RegisterPasskeySchema(PasskeyAnswerSchema):
    required = fields.Boolean(load_default=False)  # from now on the account signs in with a passkey only


class LogoutSchema(Schema):
    """Signing out ends the session of the token the request carries: nothing else to say."""


class ChangePasswordSchema(SecondFactorSchema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    client = CLIENT


class ListUsersSchema(Schema):
    la_code = fields.String(load_default=None, allow_none=True)


class ManagedAccountSchema(Schema):
    """A request about one account, by someone who may manage it."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SuspendUserSchema(ManagedAccountSchema, SuspensionSchema):
    pass


class RecordVettingSchema(ManagedAccountSchema, VettingSchema):
    pass


class ScheduledSchema(Schema):
    """Scheduled work takes no arguments: who asks is the worker, as the broker says."""
