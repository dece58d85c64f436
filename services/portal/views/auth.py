"""Signing in and out, and choosing a new password."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView

from services.portal.schemas.auth import (
    ChangePasswordSchema, LoginSchema, PasskeyCeremonySchema, PasskeySignInSchema, RegisteredPasskeySchema,
    RegisterPasskeySchema, SessionSchema, TokenSchema,
)
from services.portal.views.asking import API_PREFIX, Blueprint, actor, ask
from shared.contracts import requests

api = Blueprint("auth", __name__, url_prefix=API_PREFIX, description="Signing in and out.")


def client_address() -> str:
    """The address failed sign-ins are counted against: the client's own, as a trusted proxy reports it."""
    proxies = current_app.extensions["contactpoint"].proxies
    return proxies.client(request.remote_addr, request.headers.get("X-Forwarded-For"))


@api.route("/auth/login")
class Login(MethodView):
    @api.operation(200, TokenSchema, takes=LoginSchema, refuses=(429,), anyone=True)
    def post(self, credentials):
        """Sign in with password and a one-time code or a passkey; 401 for any wrong factor, 429 after repeated failures."""
        return ask(requests.LOGIN, {**credentials, "client": client_address()})


@api.route("/auth/passkey-challenge")
class PasskeySignIn(MethodView):
    @api.operation(200, PasskeyCeremonySchema, takes=PasskeySignInSchema, refuses=(429,), anyone=True)
    def post(self, who):
        """A challenge for signing in to this account with a passkey (the same answer whether the account exists)."""
        return ask(requests.PASSKEY_SIGN_IN_OPTIONS, {**who, "client": client_address()})


@api.route("/auth/passkeys/challenge")
class PasskeyRegistrationChallenge(MethodView):
    @api.operation(200, PasskeyCeremonySchema)
    def post(self):
        """A challenge for the signed-in holder to register a passkey (user verification required)."""
        return ask(requests.PASSKEY_REGISTRATION_OPTIONS, {})


@api.route("/auth/passkeys")
class Passkeys(MethodView):
    @api.operation(201, RegisteredPasskeySchema, takes=RegisterPasskeySchema)
    def post(self, answer):
        """Register the passkey that answered the challenge, for the signed-in holder's own account."""
        return ask(requests.REGISTER_PASSKEY, answer)


@api.route("/auth/logout")
class Logout(MethodView):
    @api.operation(204)
    def post(self):
        """Sign out: the token stops working at once."""
        ask(requests.LOGOUT, {})


@api.route("/auth/session")
class Session(MethodView):
    @api.operation(200, SessionSchema)
    def get(self):
        """Who the token's holder is, and when they must sign in again; each use restarts the idle clock."""
        return {**actor(), "expires_at": g.actor.expires_at}


@api.route("/auth/password")
class Password(MethodView):
    @api.operation(204, takes=ChangePasswordSchema, refuses=(429,))
    def post(self, change):
        """Choose a new password, with the old one and a fresh one-time code; every session ends."""
        ask(requests.CHANGE_PASSWORD, {**change, "client": client_address()})
