"""The two factors: an Argon2id-hashed password, and a TOTP secret kept encrypted at rest.

Each accepted one-time code moves the account's last used time step forward, so the same code
(or an older one) cannot be used again.
"""
from __future__ import annotations

import hmac
import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, InvalidHashError
from cryptography.fernet import Fernet, InvalidToken

from shared.errors import ConfigurationError

ISSUER = "ContactPoint"
STEP_SECONDS = 30
# Codes one step either side of now are accepted, for clocks that drift.
DRIFT_STEPS = 1

_hasher = PasswordHasher()
# Checked when the username is unknown, so a wrong username costs as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))
UNKNOWN_USER_SECRET = pyotp.random_base32()


def new_password() -> str:
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _UNKNOWN_USER_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class TotpVault:
    """Encrypts TOTP secrets with the key from the environment (a Fernet key)."""

    def __init__(self, key: str):
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ConfigurationError("CP_TOTP_KEY is not a valid key (32 url-safe base64-encoded bytes)") from exc
        # Opened in place of an account's own secret when there is no account to check, so the work is the same.
        self.stand_in = self.seal(UNKNOWN_USER_SECRET)

    def new_secret(self) -> tuple[str, str]:
        """A fresh secret: (the plain secret to show once, the sealed form to store)."""
        secret = pyotp.random_base32()
        return secret, self.seal(secret)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError("a stored TOTP secret cannot be decrypted with CP_TOTP_KEY") from exc


def enrolment_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step this code belongs to, if it is right and newer than the last one used; else None."""
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compared as bytes: compare_digest refuses str holding anything but ASCII.
        if step > last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS).encode(), code.encode()):
            return step
    return None
