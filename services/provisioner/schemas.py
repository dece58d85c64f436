"""What feeds and audit ask the provisioner: a source's account by its id; a team's by its id and bindings."""
from marshmallow import Schema, fields

from shared.contracts.audit import SubscribeTeamSchema
from shared.contracts.feeds import SOURCE_ID


class SourceAccountSchema(Schema):
    source_id = fields.String(required=True, validate=SOURCE_ID)


TeamAccountSchema = SubscribeTeamSchema
