"""The disclosure service's requests (``disclosure.request``, ``.approve``, ``.refuse``, ``.list``, ``.read``), as the portal
(and the command line) put them and the portal's API documents them, with their answers.

``directory.disclose``: the disclosure service asks the directory for one child's record, carrying the approved grant;
``directory.identify``: it asks who the children of an approver's requests are, so the approver knows whom each is about.

The grant names the request, its ground and reference, who asked and who approved, so the
directory's own audit event says why the record left it. It is signed by the disclosure service
(Ed25519, EdDSA JWT) when the second person approves, and says until when it may be used; the
directory checks the signature with the public key, that the grant is unexpired and unused, and
that the person asking (by their own token) is the one it was granted to. A grant no one signed,
or one already used, discloses nothing.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import jwt
from marshmallow import Schema, fields, validate

from shared.contracts.directory import IdentifiedChildSchema
from shared.errors import ConfigurationError, Forbidden
from shared.signing import private_key, public_key

GROUNDS = ("court_order", "crime_prevention")
STATUSES = ("pending", "approved", "refused", "read", "expired")
ALGORITHM = "EdDSA"
GRANT_FIELDS = ("request_id", "contactpoint_id", "ground", "reference", "requested_by", "approved_by")


class GrantSchema(Schema):
    request_id = fields.String(required=True)
    contactpoint_id = fields.String(required=True)
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    reference = fields.String(required=True)
    requested_by = fields.String(required=True)
    approved_by = fields.String(required=True)


class DiscloseChildSchema(Schema):
    grant = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class IdentifyChildrenSchema(Schema):
    """``directory.identify``: the disclosure service asks, for an approver, who the children of the requests they decide are."""

    contactpoint_ids = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True, validate=validate.Length(max=500))


class RequestDisclosureSchema(Schema):
    """``disclosure.request`` (``POST /api/v1/disclosures``'s body): one child's record, on a ground, with its reference."""

    contactpoint_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS), metadata={"description": "court_order or crime_prevention"})
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "the order's or case's reference"})


class DecisionReasonSchema(Schema):
    """Why an approver approves or refuses (``disclosure.approve``, ``disclosure.refuse``; their ``POST``'s body)."""

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ListDisclosuresSchema(Schema):
    """``disclosure.list`` (``GET /api/v1/disclosures``'s query): the requests of one status, or of every status."""

    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


class DisclosureRequestSchema(RequestDisclosureSchema):
    """A request as ``disclosure.request``, ``.approve`` and ``.refuse`` answer it, and as ``.list`` answers each: what was
    asked, and what has come of it."""

    request_id = fields.String()
    requested_by = fields.String()
    requested_at = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    readable_until = fields.String(allow_none=True)
    read_at = fields.String(allow_none=True)
    child = fields.Nested(IdentifiedChildSchema, allow_none=True,
                          metadata={"description": "who the request is about, in an approver's listing; null otherwise"})


class DisclosedRecordSchema(Schema):
    """``disclosure.read``'s answer: the request, and the record it discloses."""

    request = fields.Nested(DisclosureRequestSchema)
    record = fields.Dict()


class InvalidGrant(Forbidden, code="invalid_grant"):
    """A disclosure grant not signed by the disclosure service, or used after its time."""


def sign_grant(key: str, grant: dict, usable_until: datetime) -> str:
    """The grant, signed with the disclosure service's key, usable until the moment given."""
    claims = {**GrantSchema().dump(grant), "exp": int(usable_until.timestamp())}
    return jwt.encode(claims, _signing_key(key), algorithm=ALGORITHM)


def verified_grant(public: str, signed: str) -> dict:
    """The grant, if the disclosure service signed it and it is still usable; ``InvalidGrant`` otherwise."""
    if not public:
        raise ConfigurationError("CP_GRANT_PUBLIC_KEY is not set: the directory checks disclosure grants with it")
    try:
        claims = jwt.decode(signed, public_key(public, "CP_GRANT_PUBLIC_KEY"), algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise InvalidGrant("the disclosure grant has expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidGrant("the disclosure grant is not one the disclosure service signed") from exc
    return GrantSchema().load({name: claims.get(name) for name in GRANT_FIELDS})


@lru_cache(maxsize=2)
def _signing_key(key: str):
    return private_key(key, "CP_GRANT_KEY")
