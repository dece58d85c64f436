"""How refusals become HTTP answers: ``{"error": {"code", "message"}}`` with the status their kind calls for."""
from __future__ import annotations

from flask import jsonify
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


def status_of(error: errors.DomainError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 400)


def error_answer(code: str, message: str, status: int):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def domain_error(error: errors.DomainError):
    response = error_answer(error.code, error.message, status_of(error))
    if isinstance(error, errors.Throttled) and "retry_after" in error.details:
        response.headers["Retry-After"] = str(int(error.details["retry_after"]))
    return response


def http_error(error: HTTPException):
    if error.code == 422:
        messages = getattr(error, "data", {}).get("messages", {})
        return error_answer("invalid_request", _one_line(messages) or "the request is not valid", 400)
    return error_answer(error.name.lower().replace(" ", "_"), error.description or error.name, error.code or 500)


def _one_line(messages) -> str:
    """webargs's nested faults, e.g. ``{"query": {"purpose": ["..."]}}``, as ``purpose: ...``."""
    faults = []
    for location in messages.values() if isinstance(messages, dict) else []:
        for field, problems in (location.items() if isinstance(location, dict) else []):
            faults.append(f"{field}: {problems[0] if isinstance(problems, list) else problems}")
    return "; ".join(faults)
