"""The hash chain: each event's hash covers its canonical form and the hash before it.

Changing, removing or reordering any stored event breaks every hash after it.
"""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64


def canonical(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(prev_hash: str, seq: int, event: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + str(seq).encode() + b"\n" + canonical(event)).hexdigest()
