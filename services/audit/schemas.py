"""What the audit service accepts."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.audit import checkpoints, rules
from shared.contracts.audit import AlertFiltersSchema, EventFiltersSchema


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
    filters = fields.Nested(AlertFiltersSchema, load_default=dict)


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


class RuleSettingSchema(Schema):
    """What an LA (or every LA, ``*``) takes as ordinary for one rule: a category's working hours (``out_of_hours``), or a
    counting rule's threshold."""

    la_code = fields.String(required=True, validate=validate.Regexp(r"^(\*|[A-Z][0-9]{8})$", error="an ONS local authority code, or * for every LA"))
    rule = fields.String(required=True, validate=validate.OneOf([rule.name for rule in rules.RULES]))
    category = fields.String(load_default=rules.ANY, validate=validate.Length(min=1, max=40))
    opens = fields.Integer(load_default=None, validate=validate.Range(min=0, max=24))
    closes = fields.Integer(load_default=None, validate=validate.Range(min=0, max=24))
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)), load_default=None)
    window_seconds = fields.Integer(load_default=None, validate=validate.Range(min=60))
    at_least = fields.Integer(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def says_what_the_rule_takes(self, data, **kwargs):
        rule = next(rule for rule in rules.RULES if rule.name == data["rule"])
        if rule.name == rules.OUT_OF_HOURS:
            if data["opens"] is None or data["closes"] is None or data["opens"] >= data["closes"]:
                raise ValidationError("out_of_hours takes the hours a team works: opens before closes (0-24)")
        elif rule.threshold is None:
            raise ValidationError(f"{rule.name} fires on every event it matches: it has no hours or threshold to set")
        elif data["at_least"] is None or data["category"] != rules.ANY:
            raise ValidationError(f"{rule.name} takes a threshold for a whole LA: at_least (and window_seconds), no category")
