"""The portal's composition root: the Flask app, its way to the services, and the token revocation set."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import redis
from flask import Flask, Response, request, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from services.portal import errors
from services.portal.gateway import Gateway
from services.portal.schemas.errors import ErrorSchema
from services.portal.proxies import TrustedProxies
from services.portal.views import BLUEPRINTS
from shared.cache import make_redis
from shared.contracts.requests import ENROLMENT_PAGE
from shared.errors import DomainError, InvalidRequest, NotFound
from shared.settings import Settings

# The page loads only its own scripts, styles and images, and talks only to its own origin.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# An API answer is data, never a document to render.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
STATIC = Path(__file__).with_name("static")
TEMPLATES = Path(__file__).with_name("templates")  # the page, rendered once at start; never served as it is written


class PortalApi(Api):
    """The API as its OpenAPI document describes it: each refusal in the shape it is answered, and no other answer."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


@dataclass(frozen=True)
class Portal:
    settings: Settings
    gateway: Gateway
    revocations: redis.Redis
    proxies: TrustedProxies


def create_app(settings: Settings) -> Flask:
    settings = settings.for_service("portal").require_secrets("token_public_key")
    app = Flask(__name__, static_folder=None)
    app.config.update(
        API_TITLE="ContactPoint", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json", JSON_SORT_KEYS=False,
    )
    app.extensions["contactpoint"] = Portal(settings, Gateway(settings), make_redis(settings),
                                                 TrustedProxies.parse(settings.trusted_proxies))
    api = PortalApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_error_handler(DomainError, errors.domain_error)
    app.register_error_handler(HTTPException, errors.http_error)
    page = _page(settings)
    app.add_url_rule("/", "page", lambda: Response(page, mimetype="text/html"))
    app.add_url_rule(ENROLMENT_PAGE, "enrolment_page", lambda: Response(page, mimetype="text/html"))
    app.add_url_rule("/static/<path:name>", "static_file", lambda name: send_from_directory(STATIC, name))
    app.before_request(_no_nul)
    app.after_request(_protective_headers)
    return app


def _no_nul() -> None:
    """No text ContactPoint keeps may hold a NUL (PostgreSQL stores none): refused here, before any service is asked."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        raise NotFound("nothing is named with a NUL character")
    body = request.get_data(as_text=True) if request.is_json else ""
    if any("\x00" in value for value in request.args.values()) or "\x00" in body or "\\u0000" in body:
        raise InvalidRequest("text must not hold a NUL character")


def _page(settings: Settings) -> str:
    """The page, told the idle timeout so that it warns before the server ends an unused session."""
    pages = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    return pages.get_template("index.html").render(idle_seconds=settings.token_lifetime_seconds)


def _protective_headers(response):
    # Nothing the portal sends may be kept by a browser or proxy: answers carry child data.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers["Content-Security-Policy"] = API_POLICY if request.path.startswith("/api/") else PAGE_POLICY
    return response
