"""Access tokens: signed by identity, checked by every service that answers a person, without asking identity.

A token is a JWT signed with identity's Ed25519 key (EdDSA), naming the account, its LA, role,
what its category may see, and who created the account and when (so that the disclosure service,
which cannot read identity's tables, can refuse an approver made by the requester's own creator);
every other service holds only the public key, so no process but identity can make one. Its
expiry is the hard limit after which its holder must sign in again. Beside it, Redis holds the
token's session, which lapses when unused for the idle timeout and is refreshed by each check:
one Redis command per request. Ending a session (logout) or every session of an account
(suspension, password change, a new second factor) takes effect at once.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

import jwt
import redis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.errors import ConfigurationError, NotAuthenticated
from shared.signing import private_key, public_key

ALGORITHM = "EdDSA"
SESSION_PREFIX = "cp:session:"
ACCOUNT_SESSIONS_PREFIX = "cp:sessions-of:"
# Tokens whose signature has been checked, so that a token in use is checked once, not on every request.
CHECKED_TOKENS_KEPT = 20_000


@dataclass(frozen=True)
class Actor:
    username: str
    la_code: str
    role: str
    category: str
    sees_sensitive: bool
    token_id: str
    expires_at: int
    created_by: str | None = None  # who created the account (None for one made before this was kept)
    created_at: int | None = None  # when, in seconds since the epoch

    def as_dict(self) -> dict:
        """The person asking, as a handler and an audit event name them (never the token itself)."""
        return {"username": self.username, "la_code": self.la_code, "role": self.role,
                "category": self.category, "sees_sensitive": self.sees_sensitive, "token_id": self.token_id,
                "created_by": self.created_by, "created_at": self.created_at}


@dataclass(frozen=True)
class SessionLimits:
    idle_seconds: int
    max_seconds: int


def issue(key: str, sessions: redis.Redis, limits: SessionLimits, *, username: str, la_code: str, role: str,
          category: str, sees_sensitive: bool, created_by: str | None = None, created_at: int | None = None) -> tuple[str, int]:
    """A signed token and its session; gives the token and the seconds until it must be renewed by signing in."""
    now = int(time.time())
    token_id = uuid.uuid4().hex
    claims = {
        "sub": username, "la": la_code, "role": role, "cat": category, "sens": sees_sensitive,
        "jti": token_id, "iat": now, "exp": now + limits.max_seconds, "made_by": created_by, "made_at": created_at,
    }
    with sessions.pipeline() as pipe:
        pipe.set(SESSION_PREFIX + token_id, username, ex=limits.idle_seconds)
        pipe.sadd(ACCOUNT_SESSIONS_PREFIX + username, token_id)
        pipe.expire(ACCOUNT_SESSIONS_PREFIX + username, limits.max_seconds)
        pipe.execute()
    return jwt.encode(claims, _signing_key(key), algorithm=ALGORITHM), limits.max_seconds


def verify(public_key: str, token: str, sessions: redis.Redis, idle_seconds: int) -> Actor:
    """The actor the token names, if it is genuine, unexpired and its session still open; the session's idle clock restarts."""
    actor = signed_actor(public_key, token)
    if sessions.getex(SESSION_PREFIX + actor.token_id, ex=idle_seconds) != actor.username:
        raise NotAuthenticated("the session has ended (signed out, idle too long, or revoked); sign in again")
    return actor


def signed_actor(public_key: str, token: str) -> Actor:
    """The actor a genuine, unexpired token names, without asking whether its session is still open."""
    claims = _signed_claims(public_key, token)
    if claims["exp"] <= time.time():
        raise NotAuthenticated("the access token has expired; sign in again")
    return Actor(claims["sub"], claims["la"], claims["role"], claims["cat"], bool(claims["sens"]), claims["jti"], claims["exp"],
                 claims.get("made_by"), claims.get("made_at"))


@lru_cache(maxsize=CHECKED_TOKENS_KEPT)
def _signed_claims(public_key: str, token: str) -> dict:
    """The claims of a token signed with the private half of ``public_key``; a signature is a function of the token
    alone, so it is checked once. Expiry changes with the clock, so the caller checks it on every use."""
    try:
        return jwt.decode(token, _checking_key(public_key), algorithms=[ALGORITHM], options={"require": ["exp", "jti", "sub"]})
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("the access token is not valid; sign in again") from exc


@lru_cache(maxsize=4)
def _signing_key(encoded: str) -> Ed25519PrivateKey:
    return private_key(encoded, "CP_TOKEN_KEY")


@lru_cache(maxsize=4)
def _checking_key(encoded: str) -> Ed25519PublicKey:
    if not encoded:
        raise ConfigurationError("CP_TOKEN_PUBLIC_KEY is not set: every service that answers a person checks their token with it")
    return public_key(encoded, "CP_TOKEN_PUBLIC_KEY")


def end_session(sessions: redis.Redis, token_id: str) -> None:
    sessions.delete(SESSION_PREFIX + token_id)


def end_sessions_of(sessions: redis.Redis, username: str) -> None:
    """Ends every session of the account at once."""
    account_sessions = ACCOUNT_SESSIONS_PREFIX + username
    sessions.delete(account_sessions, *(SESSION_PREFIX + token_id for token_id in sessions.smembers(account_sessions)))
