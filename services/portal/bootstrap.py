"""The portal's composition root: the Flask app, its way to the services, and the token revocation set."""
from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import Flask, request, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from services.portal import errors
from services.portal.gateway import Gateway
from services.portal.views import BLUEPRINTS
from shared.cache import make_redis
from shared.errors import DomainError
from shared.settings import Settings

CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"


@dataclass(frozen=True)
class Portal:
    settings: Settings
    gateway: Gateway
    revocations: redis.Redis


def create_app(settings: Settings) -> Flask:
    settings.require_secrets()
    app = Flask(__name__, static_folder=None)
    app.config.update(
        API_TITLE="ContactPoint", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json", JSON_SORT_KEYS=False,
    )
    app.extensions["contactpoint"] = Portal(settings, Gateway(settings), make_redis(settings))
    api = Api(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_error_handler(DomainError, errors.domain_error)
    app.register_error_handler(HTTPException, errors.http_error)
    app.add_url_rule("/", "page", lambda: send_from_directory(app.root_path + "/static", "index.html"))
    app.add_url_rule("/static/<path:name>", "static_file", lambda name: send_from_directory(app.root_path + "/static", name))
    app.after_request(_protective_headers)
    return app


def _protective_headers(response):
    # Nothing the portal sends may be kept by a browser or proxy: answers carry child data.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not request.path.startswith("/api/"):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    return response
