"""Who is asking: the bearer token, checked here on every request without a round trip to identity.

The signature and expiry are checked here; one Redis command finds the token's session still
open (not signed out, revoked or idle too long) and restarts its idle clock. The token then
travels with each request the portal puts to a service, which checks it again for itself and
decides, by its own routing table, whether the person's role may ask: the portal decides nothing.
Where the service asked answers every such request (a search, a read), its own check of the
session is the one made: the portal's would be a second Redis round trip for the same answer.
"""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from shared import tokens
from shared.errors import Forbidden, NotAuthenticated


def signed_in(*roles: str, session_checked_by_the_service: bool = False):
    """Requires a valid, unrevoked token; ``roles`` only where the portal answers by itself, without asking a service.

    With ``session_checked_by_the_service``, only the token's signature and expiry are checked here: the view's one request
    goes to a service that checks the session itself (refusing, and auditing the refusal, when it has ended).
    """

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise NotAuthenticated("sign in first: send 'Authorization: Bearer <access_token>'")
            portal = current_app.extensions["contactpoint"]
            g.token = token.strip()
            if session_checked_by_the_service:
                g.actor = tokens.signed_actor(portal.settings.token_public_key, g.token)
            else:
                g.actor = tokens.verify(portal.settings.token_public_key, g.token, portal.revocations, portal.settings.token_lifetime_seconds)
            if roles and g.actor.role not in roles:
                raise Forbidden(f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return checked

    return decorate
