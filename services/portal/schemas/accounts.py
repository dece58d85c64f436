"""Account administration, for an LA's administrators."""
from marshmallow import Schema, fields, validate

class NewAccountSchema(Schema):
    username = fields.String(required=True)
    category = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "practitioner, approver or la_admin"})
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)


class CredentialsSchema(Schema):
    username = fields.String()
    password = fields.String()
    totp_secret = fields.String()
    otpauth_uri = fields.String()


class AccountSchema(Schema):
    username = fields.String()
    la_code = fields.String()
    category = fields.String()
    role = fields.String()
    status = fields.String(metadata={"description": "active, locked or suspended"})
    status_reason = fields.String(allow_none=True)
    trained_on = fields.String(allow_none=True)
    disclosure_on = fields.String(allow_none=True)


class AccountsSchema(Schema):
    accounts = fields.List(fields.Nested(AccountSchema))


class SuspensionSchema(Schema):
    reason = fields.String(load_default="suspended by an administrator", validate=validate.Length(min=1, max=300))


class VettingSchema(Schema):
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)
