"""Keyed pseudonyms: HMAC-SHA256, so only the holder of ``CP_PSEUDONYM_KEY`` can link a pseudonym to a child.

Three keys are derived from the one secret, each for one use, so no derived value can stand
in for another:

- the *base* key turns a ContactPoint id into the child's pseudonym base. The disclosure
  service stores only the base, never the id, so its projection cannot be joined to the
  directory by anyone without the key (the key holder can recompute a base from an id);
- the *default* export key turns a base into the pseudonym researchers receive when no
  recipient is named;
- each *recipient's* key (derived from the secret and the recipient's name) turns a base
  into that recipient's pseudonym, so two recipients cannot link their files to each other.

Each pseudonym depends only on the key, the recipient and the child, so it is the same in
every export: a researcher can link this year's file to last year's. Changing the secret
changes every base, so the projection must then be rebuilt from the feeds' merged records.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from shared.errors import ConfigurationError, InvalidRequest

RECIPIENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def _mac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class Pseudonymiser:
    def __init__(self, secret: str):
        if not secret:
            raise ConfigurationError(
                "CP_PSEUDONYM_KEY not set: give it in the environment or in the file named by CP_KEY_FILE"
            )
        self._secret = secret.encode()
        self._base_key = _mac(self._secret, "contactpoint/pseudonym/base")

    def base(self, contactpoint_id: str) -> str:
        """What the disclosure service keeps in place of a child's ContactPoint id."""
        return _mac(self._base_key, contactpoint_id).hex()

    def for_recipient(self, recipient: str | None):
        """A function from base to the pseudonym ``recipient`` receives (the default pseudonym when None)."""
        key = _mac(self._secret, "contactpoint/pseudonym/export" if recipient is None else f"contactpoint/pseudonym/recipient/{recipient_name(recipient)}")
        return lambda base: _mac(key, base).hex()


def recipient_name(recipient: str) -> str:
    if not RECIPIENT.match(recipient):
        raise InvalidRequest(
            f"recipient {recipient!r} must be 1-100 lower-case letters, digits, '.', '_' or '-'", code="invalid_recipient",
        )
    return recipient
