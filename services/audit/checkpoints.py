"""Signed checkpoints of the chain head: Ed25519 over the head's sequence number and hash.

Whoever can rewrite the database can rebuild a whole chain after removing its tail; they
cannot sign a checkpoint without the key, which only the process signing checkpoints holds.
The key is 32 random bytes, base64-encoded, given as ``CP_CHECKPOINT_KEY`` (or in the key file).
Its public half, encoded the same way (``CP_CHECKPOINT_PUBLIC_KEY``), checks the signatures: a
security team or an outside auditor verifies the store with it and cannot forge a checkpoint.
Each checkpoint names the id of the key that signed it, so that after the key is changed the
old public keys, listed beside the new one, still check the checkpoints they signed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared import signing
from shared.errors import ConfigurationError

KEY_VARIABLE = "CP_CHECKPOINT_KEY"
PUBLIC_KEY_VARIABLE = "CP_CHECKPOINT_PUBLIC_KEY"


@dataclass(frozen=True)
class Checkpoint:
    id: int
    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str


def new_key() -> str:
    return signing.new_private_key()


def signing_key(encoded: str) -> Ed25519PrivateKey:
    return signing.private_key(encoded, KEY_VARIABLE)


def public_key_of(encoded_key: str) -> str:
    """The public half of a signing key, encoded as the key is."""
    return signing.public_half(encoded_key, KEY_VARIABLE)


def checking_key(encoded: str) -> Ed25519PublicKey:
    """The public key that checks signatures; ``ValueError`` when ``encoded`` is not 32 bytes in base64."""
    return Ed25519PublicKey.from_public_bytes(signing.decode(encoded))


def configured_checking_keys(public_keys: str, key: str) -> list[Ed25519PublicKey]:
    """The keys that check signatures when the request names none: each of ``CP_CHECKPOINT_PUBLIC_KEY``'s (comma-separated:
    after a change of key, the old ones still check the checkpoints they signed), and the public half of
    ``CP_CHECKPOINT_KEY``, which signs the checkpoints made now; empty when neither is set, and signatures go unchecked."""
    listed = [text for text in public_keys.split(",") if text.strip()]
    configured = []
    for position, text in enumerate(listed, start=1):
        try:
            configured.append(checking_key(text))
        except ValueError as exc:
            raise ConfigurationError(f"{PUBLIC_KEY_VARIABLE}: key {position} of {len(listed)} is not 32 bytes in base64 ({exc})") from exc
    return [*configured, signing_key(key).public_key()] if key else configured


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def statement(seq: int, head_hash: str, signed_at: str) -> bytes:
    return f"contactpoint audit checkpoint\n{seq}\n{head_hash}\n{signed_at}".encode()


def sign(key: Ed25519PrivateKey, seq: int, head_hash: str, signed_at: str) -> dict:
    """The fields of a checkpoint row for this chain head."""
    signature = key.sign(statement(seq, head_hash, signed_at))
    return {"seq": seq, "hash": head_hash, "signed_at": signed_at, "key_id": key_id(key.public_key()), "signature": signing.encode(signature)}


def signature_holds(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        signature = base64.urlsafe_b64decode(checkpoint.signature.encode())
        public_key.verify(signature, statement(checkpoint.seq, checkpoint.hash, checkpoint.signed_at))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True



