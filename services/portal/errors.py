"""How refusals become HTTP answers: ``{"error": {"code", "message", "field"?}}`` with the status their kind calls for.

``field`` names the request's field a refusal is about, so that a front-end can show it beside that field in its
own words: the field a service's refusal names in its details, or the field of this request its message begins
with (services write ``family_name must be ...``, and invalid input reads ``trained_on: ...``).
"""
from __future__ import annotations

import re

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from shared import errors

STATUS = {
    errors.InvalidRequest: 400,
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Throttled: 429,
    errors.Unavailable: 503,
}


# A handler's unexpected failure crosses the broker as a refusal of no kind (see shared/messaging/consumer.py): to the
# person it is the server's fault, said without the failure's text, which the service's log keeps.
HANDLER_FAILED = "handler_failed"


def status_of(error: errors.DomainError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 400)


def error_answer(code: str, message: str, status: int, field: str | None = None):
    response = jsonify({"error": {"code": code, "message": message, **({"field": field} if field else {})}})
    response.status_code = status
    return response


def field_of(message: str, details: dict | None = None) -> str | None:
    named = (details or {}).get("field")
    if isinstance(named, str):
        return named
    first = re.match(r"(\w+)(?::| )", message)
    return first.group(1) if first and first.group(1) in _fields_asked() else None


def _fields_asked() -> set[str]:
    body = request.get_json(silent=True) if request.is_json else None
    return set(request.args) | set(body if isinstance(body, dict) else ())


def domain_error(error: errors.DomainError):
    if error.code == HANDLER_FAILED:
        return error_answer("server_error", "the service failed to answer this request; the fault is logged", 500)
    response = error_answer(error.code, error.message, status_of(error), field_of(error.message, error.details))
    if isinstance(error, errors.Throttled) and "retry_after" in error.details:
        response.headers["Retry-After"] = str(int(error.details["retry_after"]))
    return response


def http_error(error: HTTPException):
    if "messages" in getattr(error, "data", {}):
        faults = _faults(error.data["messages"])
        message = "; ".join(f"{field}: {problem}" for field, problem in faults) or "the request is not valid"
        return error_answer("invalid_request", message, 400, faults[0][0] if faults else None)
    return error_answer(error.name.lower().replace(" ", "_"), error.description or error.name, error.code or 500)


def _faults(messages) -> list[tuple[str, str]]:
    """webargs's nested faults, e.g. ``{"query": {"purpose": ["..."]}}``, as ``[("purpose", "...")]``."""
    faults = []
    for location in messages.values() if isinstance(messages, dict) else []:
        for field, problems in (location.items() if isinstance(location, dict) else []):
            faults.append((field, problems[0] if isinstance(problems, list) else problems))
    return faults
