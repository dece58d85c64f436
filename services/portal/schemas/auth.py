"""Signing in and out, and choosing a new password."""
from marshmallow import Schema, fields, validate


class PasskeyAnswerSchema(Schema):
    ceremony = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "the ceremony's id, as its options came with it"})
    credential = fields.Dict(required=True, metadata={
        "description": "the PublicKeyCredential navigator.credentials made, in its JSON form (base64url fields)"})


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(validate=validate.Length(min=1, max=10), metadata={"description": "a one-time code; or passkey"})
    passkey = fields.Nested(PasskeyAnswerSchema, metadata={"description": "a passkey's answer; or otp"})


class PasskeySignInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))


class PasskeyCeremonySchema(Schema):
    ceremony = fields.String(metadata={"description": "send it back with the answer; it works once, for two minutes"})
    options = fields.Dict(metadata={"description": "for navigator.credentials.create / get (base64url fields)"})


class RegisterPasskeySchema(PasskeyAnswerSchema):
    required = fields.Boolean(load_default=False,
                              metadata={"description": "from now on, sign in with a passkey only (no one-time code)"})


class RegisteredPasskeySchema(Schema):
    passkeys = fields.Integer(metadata={"description": "how many passkeys the account has"})
    passkey_required = fields.Boolean()


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds until signing in again is required, however busy"})
    idle_timeout = fields.Integer(metadata={"description": "the token stops working after this many seconds unused"})


class SessionSchema(Schema):
    username = fields.String()
    la_code = fields.String()
    role = fields.String()
    category = fields.String()
    sees_sensitive = fields.Boolean()
    expires_at = fields.Integer(metadata={"description": "when signing in again is required (seconds since the epoch)"})


class ChangePasswordSchema(Schema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(validate=validate.Length(min=1, max=10),
                        metadata={"description": "a one-time code not used before; or passkey"})
    passkey = fields.Nested(PasskeyAnswerSchema, metadata={"description": "a passkey's answer; or otp"})
