"""What the audit service accepts."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.audit import checkpoints
from shared.contracts.audit import EventFiltersSchema


class ListEventsSchema(Schema):
    filters = fields.Nested(EventFiltersSchema, load_default=dict)


class ActorOnlySchema(Schema):
    """A request that says nothing but who asks, as its proof shows."""


class CheckingKey(fields.String):
    """A checkpoint public key, as `contactpoint audit keygen` prints it; loaded as the key itself."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return checkpoints.checking_key(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(f"not a checkpoint public key: 32 bytes in URL-safe base64 are expected ({exc})") from exc


class VerifyAuditSchema(Schema):
    """The public keys to check checkpoint signatures with, when the configured ones should not be used."""

    public_keys = fields.List(CheckingKey(), load_default=list)


class ListAlertsSchema(Schema):
    filters = fields.Nested(lambda: AlertFiltersSchema(), load_default=dict)


class AlertFiltersSchema(Schema):
    rule = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "investigated")))
    la_code = fields.String(load_default=None)
    after_id = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class InvestigateAlertSchema(Schema):
    alert_id = fields.Integer(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class TrailOwnerSchema(Schema):
    actor = fields.String()  # whose trail: a username
    contactpoint_id = fields.String()

    @validates_schema
    def names_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("name either the actor or the contactpoint_id whose trail to export, not both or neither")


class ExportTrailSchema(Schema):
    whose = fields.Nested(TrailOwnerSchema, required=True)
    after_seq = fields.Integer(load_default=None)

