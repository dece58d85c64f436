"""Enrolment by the holder, from the one-time link they were sent."""
from marshmallow import Schema, fields, validate

TOKEN = fields.String(required=True, validate=validate.Length(min=1, max=100),
                      metadata={"description": "what follows '#' in the enrolment link"})


class OpenEnrolmentSchema(Schema):
    token = TOKEN


class AuthenticatorSchema(Schema):
    username = fields.String()
    totp_secret = fields.String(metadata={"description": "for the holder's authenticator app; a new one each time the link is opened"})
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "the otpauth URI as a QR code, an SVG document"})


class CompleteEnrolmentSchema(Schema):
    token = TOKEN
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    otp = fields.String(required=True, validate=validate.Length(min=1, max=10),
                        metadata={"description": "a code the authenticator shows for the secret the link gave"})


class EnrolledSchema(Schema):
    username = fields.String()
    status = fields.String(metadata={"description": "active, or suspended where an administrator has suspended the account meanwhile"})
