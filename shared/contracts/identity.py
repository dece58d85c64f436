"""Identity's account requests (``identity.add_user``, ``.list_users``, ``.suspend_user``, ``.unlock_user``, ``.reset_totp``,
``.record_vetting``), as the portal (and the command line) put them and the portal's API documents them, with their answers.

The account a request is about, and the LA a new one is of, are the portal's to say (from its path, and from its
administrator's token): identity's own schemas add them.
"""
from marshmallow import Schema, fields, validate

from shared.principals import ROLES

USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{2,99}$", error="3-100 characters: lower-case letters, digits, '.', '_' or '-'")


class VettingSchema(Schema):
    """When the holder was trained in ContactPoint and last had an enhanced disclosure (DBS) check."""

    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)


class NewAccountSchema(VettingSchema):
    """``identity.add_user``'s account (``POST /api/v1/accounts``'s body)."""

    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254),
                         metadata={"description": "the holder's own address: their enrolment link is mailed there"})
    category = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES),
                         metadata={"description": "practitioner: only the national operator creates la_admins and approvers"})


class SuspensionSchema(Schema):
    """Why an account is suspended (``identity.suspend_user``; ``POST /api/v1/accounts/<username>/suspend``'s body)."""

    reason = fields.String(load_default="suspended by an administrator", validate=validate.Length(min=1, max=300))


class AccountSchema(Schema):
    """An account as identity's account requests answer it (each of ``identity.list_users``'s)."""

    username = fields.String()
    la_code = fields.String()
    category = fields.String()
    role = fields.String()
    status = fields.String(metadata={"description": "enrolling (waiting for its holder), active, locked or suspended"})
    status_reason = fields.String(allow_none=True)
    trained_on = fields.String(allow_none=True)
    disclosure_on = fields.String(allow_none=True)
    vetting_recorded_by = fields.String(allow_none=True, metadata={"description": "who recorded the vetting dates"})
    vetting_recorded_at = fields.String(allow_none=True)


class EnrollingAccountSchema(AccountSchema):
    """An account waiting for its holder (``identity.add_user``'s and ``identity.reset_totp``'s answer): no password or secret
    is ever shown to an administrator, nor the link."""

    enrolment_sent = fields.Boolean(metadata={"description": "whether the holder was mailed their one-time enrolment link"})
