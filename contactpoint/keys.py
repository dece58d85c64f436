"""Fresh secrets: a new key for every secret ContactPoint needs, by the variable that gives it.

For an operator's key file (``contactpoint keys``), and for the demo and test runs, which
make their own each time. The checkpoint key is Ed25519; the others are Fernet keys. The
file also holds the checkpoint key's public half, no secret, to hand to whoever verifies
the audit store.
"""
from __future__ import annotations

from cryptography.fernet import Fernet

from services.audit.checkpoints import new_key as new_checkpoint_key
from services.audit.checkpoints import public_key_of


def fresh_keys() -> dict[str, str]:
    checkpoint_key = new_checkpoint_key()
    return {
        "CP_TOKEN_KEY": Fernet.generate_key().decode(),
        "CP_TOTP_KEY": Fernet.generate_key().decode(),
        "CP_PSEUDONYM_KEY": Fernet.generate_key().decode(),
        "CP_CHECKPOINT_KEY": checkpoint_key,
        "CP_CHECKPOINT_PUBLIC_KEY": public_key_of(checkpoint_key),
    }


def with_fresh_keys(settings):
    """``settings`` with every secret replaced by a new one."""
    keys = fresh_keys()
    return settings.but(
        token_key=keys["CP_TOKEN_KEY"], totp_key=keys["CP_TOTP_KEY"],
        pseudonym_key=keys["CP_PSEUDONYM_KEY"], checkpoint_key=keys["CP_CHECKPOINT_KEY"],
    )
