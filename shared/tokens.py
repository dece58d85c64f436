"""Access tokens: signed by identity, checked by the portal on every request without asking identity.

A token is a signed JWT naming the account, its LA, role and what its category may see. It
stops working at its expiry, or at once when its id lands in the revocation set in Redis
(logout, suspension, password change).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
import redis

from shared.errors import NotAuthenticated

ALGORITHM = "HS256"
REVOKED_PREFIX = "cp:tokens:revoked:"


@dataclass(frozen=True)
class Actor:
    username: str
    la_code: str
    role: str
    category: str
    sees_sensitive: bool
    token_id: str
    expires_at: int

    def as_dict(self) -> dict:
        """What services are told of the person asking (never the token itself)."""
        return {"username": self.username, "la_code": self.la_code, "role": self.role,
                "category": self.category, "sees_sensitive": self.sees_sensitive}


def issue(key: str, *, username: str, la_code: str, role: str, category: str, sees_sensitive: bool, lifetime: int) -> tuple[str, int]:
    now = int(time.time())
    claims = {
        "sub": username, "la": la_code, "role": role, "cat": category, "sens": sees_sensitive,
        "jti": uuid.uuid4().hex, "iat": now, "exp": now + lifetime,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), lifetime


def verify(key: str, token: str, revocations: redis.Redis) -> Actor:
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp", "jti", "sub"]})
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("the access token is not valid; sign in again") from exc
    if revocations.exists(REVOKED_PREFIX + claims["jti"]):
        raise NotAuthenticated("the access token has been revoked; sign in again")
    return Actor(claims["sub"], claims["la"], claims["role"], claims["cat"], bool(claims["sens"]), claims["jti"], claims["exp"])


def revoke(revocations: redis.Redis, token_id: str, expires_at: int) -> None:
    ttl = max(1, expires_at - int(time.time()))
    revocations.set(REVOKED_PREFIX + token_id, "1", ex=ttl)
