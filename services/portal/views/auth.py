"""Signing in and out."""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.portal.auth import signed_in
from services.portal.schemas.auth import LoginSchema, TokenSchema
from services.portal.views.asking import API_PREFIX, actor, ask
from shared.contracts import requests

api = Blueprint("auth", __name__, url_prefix=API_PREFIX, description="Signing in and out.")


@api.route("/auth/login")
class Login(MethodView):
    @api.arguments(LoginSchema)
    @api.response(200, TokenSchema)
    def post(self, credentials):
        """Sign in with password and one-time code."""
        return ask(requests.LOGIN, {**credentials, "client": request.remote_addr or "unknown"})


@api.route("/auth/logout")
class Logout(MethodView):
    @api.response(204)
    @signed_in()
    def post(self):
        """Sign out: the token stops working at once."""
        ask(requests.LOGOUT, {"actor": actor(), "token_id": g.actor.token_id, "expires_at": g.actor.expires_at})
