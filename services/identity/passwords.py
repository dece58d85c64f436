"""What a password a person chooses must be (NIST SP 800-63B): long enough, not one known to attackers, not their name.

Composition rules and forced periodic changes are deliberately absent: NIST advises against both.
The common-password list is data, one a line, in ``data/common-passwords.txt``.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("services.identity") / "data" / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def weakness(password: str, username: str) -> str | None:
    """Why this password may not be chosen, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if password.casefold() in common_passwords():
        return "that password is on the list of common passwords attackers try first; choose another"
    if username.casefold() in password.casefold():
        return "a password may not contain the account's username"
    return None
