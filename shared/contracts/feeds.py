"""The feed message a partner system publishes on ``cp.feeds`` as ``<source_id>.<kind>``, and the feedback it gets; and the
requests about sources and shielding that feeds answers, as the portal (and the command line) put them and the portal's API
documents them.

Unknown fields are refused: case information has no field here. A refused field whose name
looks like case information (notes, an assessment, an allegation...) is named as such in the
feedback, so the partner knows to stop sending it rather than to rename it.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.validators import validate_nhs_number, validate_postcode
from shared.messaging.envelope import Envelope
from shared.messaging.topology import FEEDBACK

SCHEMA_NAME = "contactpoint.feed.v1"
GENDERS = ("female", "male", "other", "unknown")
SERVICE_KINDS = (
    "school", "health", "youth_offending", "social_care", "borders", "connexions",
    "sexual_health", "mental_health", "substance_misuse",
)
# The routing key's kind for a message that names no involvement (a removal, a change of address).
NO_INVOLVEMENT = "record"
# A source's id is also its broker username and the first word of its routing keys.
SOURCE_ID = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{1,59}$", error="2-60 characters: lower-case letters, digits, '-' or '_'")
NAME = fields.String(required=True, validate=validate.Length(min=1, max=100))
UNKNOWN_FIELD = "Unknown field."
CASE_INFORMATION_WORDS = re.compile(
    r"note|comment|narrative|assessment|allegation|concern|referral|diagnos|disclos|abuse|neglect|offen[cs]e|"
    r"conviction|incident|investigation|risk|history|medical|medication|condition|treatment|plan|outcome|"
    r"reason|summary|observation|report|behaviou?r|strateg|section_?47|child_?protection|cp_?plan",
    re.IGNORECASE,
)


def a_persons_name(value: str) -> None:
    """Letters, spaces, hyphens and apostrophes in any script; a digit or a control character is never part of a name,
    and one that slipped in (``Sm1th``, a tab pasted from a spreadsheet) would be matched and published as if it were."""
    if not 1 <= len(value) <= 100:
        raise ValidationError("must be 1 to 100 characters")
    found = sorted({"digits" if unicodedata.category(c).startswith("N") else "control characters"
                    for c in value if unicodedata.category(c).startswith(("N", "C"))})
    if found:
        raise ValidationError(f"a name must not hold {' or '.join(found)}")


def not_in_the_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("must not be in the future")


class AddressSchema(Schema):
    lines = fields.List(fields.String(validate=validate.Length(max=200)), load_default=list)
    town = fields.String(load_default="", validate=validate.Length(max=100))
    # A child's postcode can be unknown (a newborn not yet registered, no fixed abode, a source that does not hold it).
    postcode = fields.String(load_default=None, allow_none=True, validate=validate_postcode)


class IdentifiersSchema(Schema):
    nhs_number = fields.String(validate=validate_nhs_number)
    upn = fields.String(validate=validate.Regexp(r"^[A-Z][0-9]{11}[0-9A-Z]$", error="not a Unique Pupil Number"))


class ChildSchema(Schema):
    family_name = fields.String(required=True, validate=a_persons_name)
    given_names = fields.List(fields.String(validate=a_persons_name), required=True, validate=validate.Length(min=1, max=5))
    former_family_names = fields.List(fields.String(validate=a_persons_name), load_default=list)
    date_of_birth = fields.Date(required=True, validate=not_in_the_future)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    address = fields.Nested(AddressSchema, required=True)
    identifiers = fields.Nested(IdentifiersSchema, load_default=dict)
    # The source knows the child is at risk if found (a refuge, a new identity): no field that locates them is shown.
    # Not case information: it says what to withhold, never why. Once said, it holds until the LA ContactPoint team lifts it.
    shielded = fields.Boolean(load_default=False)


class CarerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=50))
    parental_responsibility = fields.Boolean(load_default=False)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class PractitionerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(load_default=None, allow_none=True)


class InvolvementSchema(Schema):
    service = fields.String(required=True, validate=validate.OneOf(SERVICE_KINDS))
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    practitioner = fields.Nested(PractitionerSchema, required=True)
    lead_professional = fields.Boolean(load_default=False)
    caf_completed = fields.Boolean(load_default=False)
    sensitive = fields.Boolean(load_default=False)
    started_on = fields.Date(load_default=None, allow_none=True)
    ended_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def ends_after_it_starts(self, data, **kwargs):
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            raise ValidationError("must not be before started_on", field_name="ended_on")


class ConsentSchema(Schema):
    retain_to_25 = fields.Boolean(load_default=False)


class FeedMessageSchema(Schema):
    schema = fields.String(required=True, validate=validate.Equal(SCHEMA_NAME))
    source_record_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    action = fields.String(required=True, validate=validate.OneOf(("upsert", "remove")))
    child = fields.Nested(ChildSchema, load_default=None, allow_none=True)
    carers = fields.List(fields.Nested(CarerSchema), load_default=list)
    involvement = fields.Nested(InvolvementSchema, load_default=None, allow_none=True)
    consent = fields.Nested(ConsentSchema, load_default=dict)


def source_of(routing_key: str) -> str:
    return routing_key.split(".", 1)[0]


def kind_of(routing_key: str) -> str:
    return routing_key.split(".", 1)[1] if "." in routing_key else ""


def faults(details, path: str = "") -> list[dict]:
    """Every fault marshmallow found, flattened to ``{"field": "child.address.postcode", "problem": ...}``."""
    if isinstance(details, dict):
        return [fault for name, inner in details.items() for fault in faults(inner, f"{path}.{name}" if path else str(name))]
    if isinstance(details, list) and all(isinstance(item, str) for item in details):
        return [{"field": path, "problem": problem} for problem in details]
    if isinstance(details, list):
        return [fault for inner in details for fault in faults(inner, path)]
    return [{"field": path, "problem": str(details)}]


def case_information_fields(found: list[dict]) -> list[str]:
    """The refused fields whose names look like case information, which ContactPoint never holds."""
    return sorted({
        fault["field"] for fault in found
        if fault["problem"] == UNKNOWN_FIELD and CASE_INFORMATION_WORDS.search(fault["field"].rsplit(".", 1)[-1])
    })


def rejection(source_id: str, message_id: str, reason: dict) -> Envelope:
    """``<source_id>.rejected``: the reason, every fault one by one, and any field that looks like case information."""
    found = faults(reason.get("details") or {}) or [{"field": "", "problem": reason.get("message", "refused")}]
    return feedback(source_id, "rejected", message_id, faults=reason, fields=found, case_information=case_information_fields(found))


def feedback(source_id: str, outcome: str, message_id: str, **detail) -> Envelope:
    """``accepted`` or ``rejected``, naming the partner's message; waits in ``cp.feedback.<source_id>``."""
    return Envelope(
        exchange=FEEDBACK.name,
        routing_key=f"{source_id}.{outcome}",
        type=f"feeds.message.{outcome}",
        body={"message_id": message_id, "outcome": outcome, **detail},
    )


class NewSourceSchema(Schema):
    """``feeds.add_source``'s source (``POST /api/v1/sources``'s body); feeds also takes the LA it is of."""

    source_id = fields.String(required=True, validate=SOURCE_ID, metadata={"description": "also its broker username"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kinds = fields.List(fields.String(validate=validate.OneOf(SERVICE_KINDS)), required=True, validate=validate.Length(min=1),
                        metadata={"description": "the services it sends involvements of: " + ", ".join(SERVICE_KINDS)})


class SourceCredentialsSchema(Schema):
    """``feeds.add_source``'s answer."""

    source_id = fields.String()
    amqp_password = fields.String(metadata={"description": "the source's broker password, shown this once"})


class SourceSchema(Schema):
    """Each source of ``feeds.list_sources``'s answer."""

    source_id = fields.String()
    name = fields.String()
    la_code = fields.String(allow_none=True)
    kinds = fields.List(fields.String())
    enabled = fields.Boolean()


class DisabledSourceSchema(Schema):
    """``feeds.disable_source``'s answer."""

    source_id = fields.String()
    enabled = fields.Boolean()


class ShieldingReasonSchema(Schema):
    """Why the LA ContactPoint team shields a child, or lifts it (``feeds.shield_child``, ``feeds.unshield_child``;
    ``POST /api/v1/children/<id>/shield`` and ``/unshield``): kept in the audit trail."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ShieldedSchema(Schema):
    """``feeds.shield_child``'s and ``feeds.unshield_child``'s answer."""

    contactpoint_id = fields.String()
    shielded = fields.Boolean()
    changed = fields.Boolean(metadata={"description": "false when the child already was (or was not) shielded"})
