"""What every view does: ask a service over the broker, as the signed-in person."""
from __future__ import annotations

from functools import reduce

import flask_smorest
from flask import current_app, g

from services.portal.auth import signed_in
from services.portal.schemas.errors import ErrorSchema

API_PREFIX = "/api/v1"
# A number in a path that names a row (a review task, an alert): PostgreSQL's bigint, so that a larger one is no such row.
ROW_ID = f"int(max={2**63 - 1})"

# Why the API refuses, by status, as its OpenAPI document says; the answer is always ``ErrorSchema``.
REFUSALS = {
    400: "invalid_request: a parameter or body member is missing, malformed or not allowed (`field` names it)",
    401: "not_authenticated: no valid token, or the session ended (signing in: a wrong factor, without saying which)",
    403: "the person's role, LA or account state does not allow this (`forbidden`, `not_your_la`, `account_locked`, ...)",
    404: "not_found: nothing of that id (or none the person may know of)",
    409: "the thing exists already or was decided already",
    429: "throttled: too many failed attempts; `Retry-After` says when to try again",
    503: "unavailable: the service that answers this did not answer in time",
}
# Every operation: its token (or, signing in, its factors) is checked, and a service answers it.
EVERY_OPERATION = (401, 403, 503)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, documenting every refusal an operation answers, in the shape it answers them.

    Its argument schemas are made once: given a class, webargs makes a new schema (a deep copy of every field) for
    each request. Invalid arguments are answered 400, as any other invalid request."""

    def arguments(self, schema, **kwargs):
        kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def response(self, status_code, schema=None, **kwargs):
        answered = super().response(status_code, schema, **kwargs)
        return lambda view: self.refuses(*EVERY_OPERATION)(answered(view))

    def operation(self, status_code: int, answer=None, *, takes=None, location: str = "json", refuses: tuple[int, ...] = (),
                  anyone: bool = False, session_checked_by_the_service: bool = False, **arguments):
        """One operation, said once: the arguments it ``takes`` (a schema, of the body or the ``location`` given), its
        ``answer``, the refusals it may give beside every operation's, and that its token is checked (by ``anyone``, as
        signing in: none; by ``session_checked_by_the_service``, its signature and expiry only, see ``signed_in``)."""
        parts = [*([self.arguments(takes, location=location, **arguments)] if takes else []), self.response(status_code, answer),
                 self.refuses(*refuses), *([] if anyone else [signed_in(session_checked_by_the_service=session_checked_by_the_service)])]
        return lambda view: reduce(lambda decorated, part: part(decorated), reversed(parts), view)

    def decision(self, rule: str, request: str, answer, *, said: str, takes=None, refuses: tuple[int, ...] = (404,)) -> None:
        """A decision on the one thing ``rule`` names (a child to shield, a review task to link, a disclosure to approve): a
        POST that puts ``request`` about it, with the body it ``takes``, if any, and answers what the service answers.
        ``said`` is what the decision does, as the OpenAPI document gives it."""

        def decide(*body, **thing):
            return ask(request, {**thing, **(body[0] if body else {})})

        decide.__doc__ = said
        self.route(rule, endpoint=rule.rsplit("/", 1)[-1], methods=["POST"])(self.operation(200, answer, takes=takes, refuses=refuses)(decide))

    def refuses(self, *statuses: int):
        """Documents the refusals an operation may answer beside those of every operation (and 400 for its arguments)."""
        documented = [self.alt_response(status, schema=ErrorSchema, description=REFUSALS[status]) for status in statuses]
        return lambda view: reduce(lambda documenting, document: document(documenting), documented, view)


def ask(method: str, payload: dict):
    """The service's answer to a request, put for the signed-in person: their token goes with it, never a word of who they are."""
    return current_app.extensions["contactpoint"].gateway.ask(method, payload, g.get("token"))


def actor() -> dict:
    return g.actor.as_dict()


def plain(query: dict) -> dict:
    """Query values in their JSON form, to travel in a request."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in query.items()}
