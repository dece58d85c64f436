"""Ed25519 keys as ContactPoint keeps them: 32 raw bytes in URL-safe base64.

The private half is for whoever signs, the public half for everyone who checks.
"""
from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.errors import ConfigurationError


def new_private_key() -> str:
    return encode(Ed25519PrivateKey.generate().private_bytes_raw())


def public_half(encoded_private_key: str, variable: str = "the key") -> str:
    return encode(private_key(encoded_private_key, variable).public_key().public_bytes_raw())


def private_key(encoded: str, variable: str) -> Ed25519PrivateKey:
    if not encoded:
        raise ConfigurationError(f"{variable} is not set: give it in the environment or in the file named by CP_KEY_FILE")
    try:
        return Ed25519PrivateKey.from_private_bytes(decode(encoded))
    except ValueError as exc:
        raise ConfigurationError(f"{variable} is not 32 bytes in base64 ({exc})") from exc


def public_key(encoded: str, variable: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(decode(encoded))
    except ValueError as exc:
        raise ConfigurationError(f"{variable} is not 32 bytes in base64 ({exc})") from exc


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def decode(encoded: str) -> bytes:
    """Strict: a character outside URL-safe base64 is a fault, not skipped, so a mistyped key is refused rather than misread."""
    text = encoded.strip()
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from exc
