"""Passkeys (WebAuthn): a second factor a look-alike page cannot replay, beside the one-time code.

The browser signs a challenge of ours with a key that never leaves the holder's authenticator,
and signs it only for our relying party id; the signed client data names the origin it was asked
from, which must be ``CP_WEBAUTHN_ORIGIN``. So an assertion made on another site, or for another
origin, fails here. User verification (a PIN or a fingerprint on the authenticator) is required.

Each challenge is made for one account and one ceremony (its id goes to the browser with the
options, so a stranger asking for options cannot spoil the holder's), kept in Redis for
``CHALLENGE_SECONDS`` and taken out by the first answer, right or wrong: an assertion cannot be
sent twice. An authenticator's signature counter must move forward, which also tells of a
cloned key.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import redis
from webauthn import (
    generate_authentication_options, generate_registration_options, options_to_json, verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor, ResidentKeyRequirement, UserVerificationRequirement,
)

PREFIX = "cp:passkey:challenge:"
CHALLENGE_SECONDS = 120
REGISTER, SIGN_IN = "register", "sign_in"


class PasskeyRefused(Exception):
    """The answer does not prove the holder: no challenge waiting, a wrong origin, a bad signature, a counter gone back."""


@dataclass(frozen=True)
class RelyingParty:
    id: str  # a registrable domain: the origin's host, or a suffix of it
    origin: str  # scheme://host[:port] the page is served from

    @property
    def configured(self) -> bool:
        return bool(self.id and self.origin)


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int


@dataclass(frozen=True)
class Ceremonies:
    store: redis.Redis
    party: RelyingParty

    def registration_options(self, username: str, user_handle: bytes, registered: list[bytes]) -> dict:
        """What ``navigator.credentials.create`` is given (as JSON), for a passkey of this account."""
        options = generate_registration_options(
            rp_id=self.party.id, rp_name="ContactPoint", user_name=username, user_id=user_handle,
            timeout=CHALLENGE_SECONDS * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED),
            exclude_credentials=[PublicKeyCredentialDescriptor(id=one) for one in registered],
        )
        return {"ceremony": self._remember(REGISTER, username, options.challenge), "options": json.loads(options_to_json(options))}

    def registered(self, username: str, ceremony: str, credential: dict) -> NewPasskey:
        challenge = self._take(REGISTER, username, ceremony)
        try:
            verified = verify_registration_response(
                credential=credential, expected_challenge=challenge, expected_rp_id=self.party.id,
                expected_origin=self.party.origin, require_user_verification=True)
        except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
            raise PasskeyRefused(f"the passkey was not registered: {exc}") from exc
        return NewPasskey(verified.credential_id, verified.credential_public_key, verified.sign_count)

    def sign_in_options(self, username: str) -> dict:
        """What ``navigator.credentials.get`` is given (as JSON) to sign in to this account. No credentials are
        listed, whether the account has passkeys or exists at all: the passkey is found on the authenticator."""
        options = generate_authentication_options(
            rp_id=self.party.id, timeout=CHALLENGE_SECONDS * 1000, user_verification=UserVerificationRequirement.REQUIRED)
        return {"ceremony": self._remember(SIGN_IN, username, options.challenge), "options": json.loads(options_to_json(options))}

    def signed_in(self, username: str, ceremony: str, credential: dict, public_key: bytes, sign_count: int) -> int:
        """The authenticator's new signature count, when the assertion proves the holder; else PasskeyRefused."""
        return verify_assertion(self.party, credential, self._take(SIGN_IN, username, ceremony), public_key, sign_count)

    def _remember(self, kind: str, username: str, challenge: bytes) -> str:
        ceremony = secrets.token_urlsafe(16)
        self.store.set(f"{PREFIX}{kind}:{username}:{ceremony}", bytes_to_base64url(challenge), ex=CHALLENGE_SECONDS)
        return ceremony

    def _take(self, kind: str, username: str, ceremony: str) -> bytes:
        challenge = self.store.getdel(f"{PREFIX}{kind}:{username}:{ceremony}")
        if challenge is None:
            raise PasskeyRefused("no passkey challenge is waiting for this account (it expired, or was answered)")
        return base64url_to_bytes(challenge if isinstance(challenge, str) else challenge.decode())


def verify_assertion(party: RelyingParty, credential: dict, challenge: bytes, public_key: bytes, sign_count: int) -> int:
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=party.id, expected_origin=party.origin,
            credential_public_key=public_key, credential_current_sign_count=sign_count, require_user_verification=True)
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused(f"the passkey did not prove the holder: {exc}") from exc
    return verified.new_sign_count


def credential_id_of(credential: dict) -> bytes:
    try:
        return base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyRefused("the passkey answer names no credential") from exc
