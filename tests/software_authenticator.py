"""A WebAuthn authenticator in software (P-256, "none" attestation, user verified), for tests and benches that
answer passkey ceremonies without a browser; the browser tests use Chromium's virtual authenticator instead."""
from __future__ import annotations

import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


class SoftwareAuthenticator:
    def __init__(self, *, user_verified: bool = True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0
        self._flags = USER_PRESENT | (USER_VERIFIED if user_verified else 0)

    def create(self, options: dict, origin: str) -> dict:
        """Answers ``navigator.credentials.create`` options as the browser would send them on."""
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose_key
        auth_data = self._auth_data(options["rp"]["id"], ATTESTED) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return self._credential({"clientDataJSON": _b64(client_data), "attestationObject": _b64(attestation)})

    def get(self, options: dict, origin: str) -> dict:
        """Answers ``navigator.credentials.get`` options: signs the challenge, counting one more use."""
        self.sign_count += 1
        auth_data = self._auth_data(options["rpId"], 0)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return self._credential({"authenticatorData": _b64(auth_data), "clientDataJSON": _b64(client_data),
                                 "signature": _b64(signature)})

    def _auth_data(self, rp_id: str, extra_flags: int) -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags | extra_flags]) + struct.pack(">I", self.sign_count)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        base64url_to_bytes(challenge)  # the challenge travels as base64url, as the options give it
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def _credential(self, response: dict) -> dict:
        return {"id": _b64(self.credential_id), "rawId": _b64(self.credential_id), "type": "public-key",
                "response": response, "clientExtensionResults": {}}


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)
