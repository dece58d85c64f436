"""Enrolment by the holder: a one-time link, and the letter that carries it to the holder's own address.

Creating an account (or resetting its factors) makes a link holding a random token; identity
keeps only the token's SHA-256, so its store gives no one a working link. The link works once,
for 72 hours: whoever opens it is shown a new TOTP secret (as text and as a QR code), and by
choosing a password and giving a code of that secret becomes the account's holder. No
administrator ever sees a password or a second factor.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from services.identity.mail import Letter
from shared.contracts.requests import ENROLMENT_PAGE

VALID_FOR = timedelta(hours=72)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) + VALID_FOR


def link(portal_url: str, token: str) -> str:
    return f"{portal_url}{ENROLMENT_PAGE}#{token}"


def letter(to: str, username: str, url: str) -> Letter:
    return Letter(to, "Your ContactPoint account: choose your password and second factor", (
        f"A ContactPoint account has been made for you: {username}.\n\n"
        f"Open this link within 72 hours to choose your password and register your authenticator app:\n\n  {url}\n\n"
        "The link works once. No one else knows your password or your one-time codes: ContactPoint will never ask "
        "you for them by mail or telephone. If you did not expect this account, tell your LA's ContactPoint team.\n"
    ))
