"""The requests the portal (and the command line) put to services over ``cp.rpc``: ``<service>.<request>``.

Each request names who asks (``RequesterSchema``), as the portal verified from their token.
"""
from marshmallow import fields

from shared.contracts.audit import ActorSchema

ADD_USER = "identity.add_user"
LIST_USERS = "identity.list_users"
LOGIN = "identity.login"
LOGOUT = "identity.logout"

SEARCH_CHILDREN = "directory.search"
READ_CHILD = "directory.read"
EXPORT_DIRECTORY = "directory.export"
DISCLOSE_CHILD = "directory.disclose"

ADD_SOURCE = "feeds.add_source"
LIST_SOURCES = "feeds.list_sources"
DISABLE_SOURCE = "feeds.disable_source"

LIST_AUDIT_EVENTS = "audit.list_events"

REQUEST_DISCLOSURE = "disclosure.request"
APPROVE_DISCLOSURE = "disclosure.approve"
REFUSE_DISCLOSURE = "disclosure.refuse"
LIST_DISCLOSURES = "disclosure.list"
READ_DISCLOSURE = "disclosure.read"
FORGET_CONSUMED = "disclosure.forget_consumed"
VERIFY_AUDIT = "audit.verify"


class RequesterSchema(ActorSchema):
    sees_sensitive = fields.Boolean(required=True)
