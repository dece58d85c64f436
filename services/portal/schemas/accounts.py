"""Account administration, for an LA's administrators."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.principals import READERS


class NewAccountSchema(Schema):
    username = fields.String(required=True)
    email = fields.Email(required=True, metadata={"description": "the holder's own address: their enrolment link is mailed there"})
    category = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "practitioner: only the national operator creates la_admins and approvers"})
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def vetted_if_reading_records(self, account, **_):
        """Said here in the portal's terms (its fields), where identity, which enforces it too, names the command line's options."""
        if account.get("role") in READERS:
            for field in ("trained_on", "disclosure_on"):
                if not account.get(field):
                    raise ValidationError(f"a {account['role']} sees child records: give the date of their "
                                          + ("ContactPoint training" if field == "trained_on" else "enhanced disclosure (DBS) check"), field)


class AccountSchema(Schema):
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
    """An account waiting for its holder: no password or secret is ever shown to an administrator, nor the link."""

    enrolment_sent = fields.Boolean(metadata={"description": "whether the holder was mailed their one-time enrolment link"})


class AccountsSchema(Schema):
    accounts = fields.List(fields.Nested(AccountSchema))


class SuspensionSchema(Schema):
    reason = fields.String(load_default="suspended by an administrator", validate=validate.Length(min=1, max=300))


class VettingSchema(Schema):
    trained_on = fields.Date(load_default=None, allow_none=True)
    disclosure_on = fields.Date(load_default=None, allow_none=True)
