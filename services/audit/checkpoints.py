"""Signed checkpoints of the chain head: Ed25519 over the head's sequence number and hash.

Whoever can rewrite the database can rebuild a whole chain after removing its tail; they
cannot sign a checkpoint without the key, which only the process signing checkpoints holds.
The key is 32 random bytes, base64-encoded, given as ``CP_CHECKPOINT_KEY`` (or in the key file).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.errors import ConfigurationError

KEY_VARIABLE = "CP_CHECKPOINT_KEY"


@dataclass(frozen=True)
class Checkpoint:
    id: int
    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str


def new_key() -> str:
    return _encode(Ed25519PrivateKey.generate().private_bytes_raw())


def signing_key(encoded: str) -> Ed25519PrivateKey:
    if not encoded:
        raise ConfigurationError(f"{KEY_VARIABLE} is not set: give it in the environment or in the file named by CP_KEY_FILE")
    try:
        raw = base64.urlsafe_b64decode(encoded.encode() + b"=" * (-len(encoded) % 4))
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise ConfigurationError(f"{KEY_VARIABLE} is not 32 bytes in base64 ({exc})") from exc


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def statement(seq: int, head_hash: str, signed_at: str) -> bytes:
    return f"contactpoint audit checkpoint\n{seq}\n{head_hash}\n{signed_at}".encode()


def sign(key: Ed25519PrivateKey, seq: int, head_hash: str, signed_at: str) -> dict:
    """The fields of a checkpoint row for this chain head."""
    signature = key.sign(statement(seq, head_hash, signed_at))
    return {"seq": seq, "hash": head_hash, "signed_at": signed_at, "key_id": key_id(key.public_key()), "signature": _encode(signature)}


def signature_holds(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        signature = base64.urlsafe_b64decode(checkpoint.signature.encode())
        public_key.verify(signature, statement(checkpoint.seq, checkpoint.hash, checkpoint.signed_at))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()
