"""The match review queue: unsure matches, each with both children side by side, for the LA ContactPoint team to decide."""
from marshmallow import Schema, fields


class SourceRecordSchema(Schema):
    source_id = fields.String()
    source_record_id = fields.String()


class CandidateSchema(Schema):
    contactpoint_id = fields.String()
    demographics = fields.Dict(metadata={"description": "family_name, given_names, former_family_names, date_of_birth, gender, address, identifiers"})
    source_records = fields.Function(
        lambda side: [{"source_id": source_id, "source_record_id": record_id} for source_id, record_id in side["source_records"]],
        metadata={"description": "every source record linked to this child: [{source_id, source_record_id}]"},
    )
    provenance = fields.Dict(metadata={"description": "for each field shown, the source record that said it and when"})


class ReviewTaskSchema(Schema):
    task_id = fields.Integer()
    weight = fields.Float(metadata={"description": "the Fellegi–Sunter match weight, between the two thresholds"})
    created_at = fields.String(allow_none=True)
    record = fields.Nested(CandidateSchema, metadata={"description": "the child the new record was held as, until someone decides"})
    candidate = fields.Nested(CandidateSchema, metadata={"description": "the child it may be"})


class ReviewQueueSchema(Schema):
    tasks = fields.List(fields.Nested(ReviewTaskSchema))


class ReviewDecisionSchema(Schema):
    task_id = fields.Integer()
    status = fields.String(metadata={"description": "linked or separated"})
    contactpoint_id = fields.String(metadata={"description": "linked: the child both now are; separated: the record's own child"})
