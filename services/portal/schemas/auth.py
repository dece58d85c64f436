"""Signing in and out, and choosing a new password."""
from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10))


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
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10),
                        metadata={"description": "a one-time code not used before"})
