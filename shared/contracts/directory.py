"""The directory's requests, as the portal (or the command line) puts them and the directory takes them: one schema each."""
import unicodedata

from marshmallow import Schema, ValidationError, fields, validate

from shared.contracts.validators import whole_postcode


def printable(value: str) -> None:
    """Text people read: no control character (a NUL, which PostgreSQL cannot store; a tab; a zero-width space)."""
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValidationError("must not hold control characters")


class Postcode(fields.String):
    """A postcode loaded in the one form the directory searches by (``ls14ap`` is ``LS1 4AP``), once, where a search enters; what is
    not a whole postcode is kept as typed, for the directory's rules to refuse saying why and its audit event to record as asked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return whole_postcode(super()._deserialize(value, attr, data, **kwargs))


class CriteriaSchema(Schema):
    """What a search may name a child by (``directory.search``'s ``criteria``; ``GET /api/v1/children/search``'s query)."""

    family_name = fields.String(load_default=None)
    given_name = fields.String(load_default=None)
    date_of_birth = fields.Date(load_default=None)
    postcode = Postcode(load_default=None)
    identifier = fields.String(load_default=None, metadata={"description": "NHS number or UPN"})


class LaTeamContactSchema(Schema):
    """How readers of an LA's shielded children reach its ContactPoint team (``directory.set_la_team``; ``PUT /api/v1/la-team``)."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), printable])
    phone = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), printable])
    email = fields.Email(load_default=None, allow_none=True)


class IdentifiedChildSchema(Schema):
    """Who a child is, as a search result shows them and as ``directory.identify`` answers for each child it is asked about."""

    contactpoint_id = fields.String()
    family_name = fields.String()
    given_names = fields.List(fields.String())
    date_of_birth = fields.String()
    gender = fields.String()
