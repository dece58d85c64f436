"""Fresh secrets: a new key for every secret ContactPoint needs, and a password for each process on each server.

For an operator's key file (``contactpoint keys``), and for the demo and test runs, which
make their own each time. The token, checkpoint and grant keys are Ed25519, written beside
their public halves (no secret: every process that checks a signature holds one); the TOTP and
pseudonym keys are Fernet keys.
"""
from __future__ import annotations

from cryptography.fernet import Fernet

from shared.settings import PASSWORD_NAMES, Settings
from shared.signing import new_private_key, public_half
from shared.broker_admin import new_password


def fresh_keys() -> dict[str, str]:
    token_key, checkpoint_key, grant_key = new_private_key(), new_private_key(), new_private_key()
    return {
        "CP_TOKEN_KEY": token_key,
        "CP_TOKEN_PUBLIC_KEY": public_half(token_key),
        "CP_TOTP_KEY": Fernet.generate_key().decode(),
        "CP_PSEUDONYM_KEY": Fernet.generate_key().decode(),
        "CP_CHECKPOINT_KEY": checkpoint_key,
        "CP_CHECKPOINT_PUBLIC_KEY": public_half(checkpoint_key),
        "CP_GRANT_KEY": grant_key,
        "CP_GRANT_PUBLIC_KEY": public_half(grant_key),
        **{name: new_password() for name in PASSWORD_NAMES},
    }


def with_fresh_keys(settings: Settings) -> Settings:
    """``settings`` with every secret and password replaced by a new one."""
    keys = fresh_keys()
    return settings.but(
        token_key=keys["CP_TOKEN_KEY"], token_public_key=keys["CP_TOKEN_PUBLIC_KEY"], totp_key=keys["CP_TOTP_KEY"],
        pseudonym_key=keys["CP_PSEUDONYM_KEY"], checkpoint_key=keys["CP_CHECKPOINT_KEY"],
        grant_key=keys["CP_GRANT_KEY"], grant_public_key=keys["CP_GRANT_PUBLIC_KEY"],
        passwords=tuple((name, keys[name]) for name in PASSWORD_NAMES),
    )
