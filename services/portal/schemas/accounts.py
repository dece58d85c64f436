"""Account administration, for an LA's administrators (each request's contract: ``shared/contracts/identity.py``)."""
from marshmallow import Schema, ValidationError, fields, validates_schema

from shared.contracts.identity import AccountSchema
from shared.contracts.identity import NewAccountSchema as AccountContract
from shared.principals import READERS


class NewAccountSchema(AccountContract):
    @validates_schema
    def vetted_if_reading_records(self, account, **_):
        """Said here in the portal's terms (its fields), where identity, which enforces it too, names the command line's options."""
        if account.get("role") in READERS:
            for field in ("trained_on", "disclosure_on"):
                if not account.get(field):
                    raise ValidationError(f"a {account['role']} sees child records: give the date of their "
                                          + ("ContactPoint training" if field == "trained_on" else "enhanced disclosure (DBS) check"), field)


class AccountsSchema(Schema):
    accounts = fields.List(fields.Nested(AccountSchema))
