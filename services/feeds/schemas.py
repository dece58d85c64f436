"""What the feeds service accepts, beyond the feed message contract itself."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.feeds import FeedMessageSchema, NewSourceSchema, ShieldingReasonSchema

# The most children one page of the export holds: a national export is thousands of pages, each one bounded.
EXPORT_PAGE = 1000
# A republish page is written, not only read: every child on it is locked and sent again in one transaction.
REPUBLISH_PAGE = 500


class AcceptedFeedMessageSchema(FeedMessageSchema):
    @validates_schema
    def upsert_names_the_child(self, data, **kwargs):
        if data["action"] == "upsert" and data.get("child") is None:
            raise ValidationError("an upsert must describe the child", field_name="child")


class AddSourceSchema(NewSourceSchema):
    """A new source, of the LA the portal says is the asker's; or of the LA an operator names, or of none (a national source)."""

    la_code = fields.String(load_default=None, allow_none=True,
                            validate=validate.Regexp(r"^[A-Z][0-9]{8}$", error="an ONS local authority code such as E08000035"))


class SourceIdSchema(Schema):
    source_id = fields.String(required=True)


class ListSourcesSchema(Schema):
    """Says nothing but who asks, as its proof shows."""


class ListReviewsSchema(Schema):
    """Says nothing but who asks, as its proof shows."""


class ReviewDecisionSchema(Schema):
    task_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1))


class ExportChildrenSchema(Schema):
    """A page of the export: the children after ``after`` (from the start when it is none), at most ``limit`` of them."""

    after = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=EXPORT_PAGE, strict=False, validate=validate.Range(min=1, max=EXPORT_PAGE))


class RepublishChildrenSchema(Schema):
    """A page of the republish: the children after ``after`` (from the start when it is none), at most ``limit`` of them."""

    after = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=REPUBLISH_PAGE, strict=False, validate=validate.Range(min=1, max=EXPORT_PAGE))


class SplitRecordSchema(Schema):
    source_id = fields.String(required=True)
    source_record_id = fields.String(required=True)


class ShieldingSchema(ShieldingReasonSchema):
    """The LA ContactPoint team's decision to shield a child, or to lift it, with its reason."""

    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))


class UseLinkageModelSchema(Schema):
    """A linkage model file's text, as `contactpoint feeds train` wrote it."""

    model = fields.String(required=True, validate=validate.Length(min=2, max=5_000_000))


class ShowLinkageModelSchema(Schema):
    """Says nothing but who asks, as its proof shows."""


class LinkageAccuracySchema(Schema):
    """Says nothing but who asks, as its proof shows."""


class RefreshTermFrequenciesSchema(Schema):
    """Scheduled (the worker), or an operator: says nothing but who asks."""
