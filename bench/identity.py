"""Identity: sign-ins and passkey verifications per second beside the raw Argon2id verify, and token checks per
second beside the raw Redis round trip.

A sign-in goes through the portal's API (Flask's test client, in this process) over the broker
to identity (its own process), which checks an Argon2id hash and a TOTP code, records the code's
step in PostgreSQL and opens a session in Redis. A token check is what the portal, and again
the answering service, does on every request: the Ed25519 signature, then one Redis command that
finds the session open and restarts its idle clock; the signature alone is shown beside it.
A passkey verification is identity's check of one answer to a challenge (client data, origin,
relying party, flags, counter and the P-256 signature), answered beforehand by a software
authenticator. Bases: one Argon2id verify on this machine, which bounds a sign-in, and a plain
Redis GET (and PING) round trip on the same server, the least any check against Redis could cost.
Size with CP_BENCH_LOGINS (default 30) and CP_BENCH_TOKEN_CHECKS (default 5,000; a fifth as many
passkey answers).
"""
from __future__ import annotations

import json
import os
import time

import pyotp
from webauthn import generate_registration_options, options_to_json, verify_registration_response
from webauthn.helpers import bytes_to_base64url

from bench.processes import services
from bench.report import Report, stopwatch
from contactpoint.embedded import enrolled_as_holder
from services.identity.bootstrap import bootstrap as identity_service
from services.identity.credentials import hash_password, password_matches
from services.identity.passkeys import RelyingParty, verify_assertion
from services.portal.bootstrap import create_app
from shared import tokens
from shared.cache import make_redis
from shared.contracts.requests import ADD_USER
from shared.principals import PRACTITIONER
from shared.settings import Settings
from tests.software_authenticator import SoftwareAuthenticator

LA_CODE = "E08000035"


def run(settings: Settings, report: Report) -> None:
    logins = int(os.environ.get("CP_BENCH_LOGINS", 30))
    checks = int(os.environ.get("CP_BENCH_TOKEN_CHECKS", 5000))
    store = make_redis(settings)
    identity = identity_service(settings)
    first, *accounts = [_account(identity, n) for n in range(logins + 1)]
    identity.close()
    app = create_app(settings)
    http = app.test_client()
    try:
        with services(settings, "identity"):
            report.note(f"{logins} accounts signing in once each, one at a time; {checks:,} checks of one token")
            token = _first_token(http, first)  # also waits for identity to be up, and warms every connection
            _redis_gets(store, 100)
            base = report.rate("raw Redis GET round trip", checks, _redis_gets(store, checks))
            report.rate("raw Redis PING round trip", checks, _redis_pings(store, checks), base=("Redis GET", base))
            argon2 = report.rate("Argon2id verify alone", 10, _argon2_verifies(10), base=("Redis GET", base))
            report.rate("sign-ins through the API (Argon2id-bound)", logins, _sign_ins(http, accounts),
                        base=("Argon2id verify", argon2))
            report.rate("passkey assertions verified (ECDSA P-256)", checks // 5, _passkey_verifies(checks // 5),
                        base=("Argon2id verify", argon2))
            report.rate("token signatures checked afresh (Ed25519)", checks, _signature_checks(settings, token, checks), base=("Redis GET", base))
            report.rate("token checks (signature + session in Redis)", checks,
                        _token_checks(settings, store, token, checks), base=("Redis GET", base))
            report.rate("token checks through the API (/auth/session)", checks // 5,
                        _api_checks(http, token, checks // 5), base=("Redis GET", base))
    finally:
        portal = app.extensions["contactpoint"]
        client = getattr(portal.gateway._local, "client", None)
        if client is not None:
            client.close()
        portal.revocations.close()
        store.close()


def _account(identity, n: int) -> dict:
    """An account made as the operator makes one, and enrolled as its holder would from the link."""
    return enrolled_as_holder(identity, identity.perform(ADD_USER, {
        "username": f"bench-{n:05d}", "email": f"bench-{n:05d}@example.org", "la_code": LA_CODE, "category": "social_worker",
        "role": PRACTITIONER, "trained_on": time.strftime("%Y-%m-%d"), "disclosure_on": time.strftime("%Y-%m-%d"),
    }))


def _sign_in(http, account: dict):
    return http.post("/api/v1/auth/login", json={
        "username": account["username"], "password": account["password"], "otp": pyotp.TOTP(account["totp_secret"]).now(),
    })


def _sign_ins(http, accounts: list[dict]) -> float:
    with stopwatch() as elapsed:
        for account in accounts:
            _token(http, account)
    return elapsed()


def _first_token(http, account: dict, tries: int = 5) -> str:
    """The first sign-in, asked again while identity is still starting (slow on a busy machine)."""
    for _ in range(tries):
        answer = _sign_in(http, account)
        if answer.status_code == 200:
            return answer.get_json()["access_token"]
        if answer.get_json()["error"]["code"] != "unavailable":
            break
    raise RuntimeError(f"the first sign-in was refused: {answer.get_json()}")


def _token(http, account: dict) -> str:
    answer = _sign_in(http, account)
    if answer.status_code != 200:
        raise RuntimeError(f"a sign-in was refused: {answer.get_json()}")
    return answer.get_json()["access_token"]


def _token_checks(settings: Settings, store, token: str, count: int) -> float:
    with stopwatch() as elapsed:
        for _ in range(count):
            tokens.verify(settings.token_public_key, token, store, settings.token_lifetime_seconds)
    return elapsed()


def _signature_checks(settings: Settings, token: str, count: int) -> float:
    """A process checks each token's signature once and keeps the claims; this is that first check, every time."""
    check_afresh = tokens._signed_claims.__wrapped__
    with stopwatch() as elapsed:
        for _ in range(count):
            check_afresh(settings.token_public_key, token)
    return elapsed()


def _api_checks(http, token: str, count: int) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    with stopwatch() as elapsed:
        for _ in range(count):
            if http.get("/api/v1/auth/session", headers=headers).status_code != 200:
                raise RuntimeError("a token check was refused")
    return elapsed()


def _redis_gets(store, count: int) -> float:
    store.set("bench:key", "value")
    with stopwatch() as elapsed:
        for _ in range(count):
            store.get("bench:key")
    return elapsed()


def _redis_pings(store, count: int) -> float:
    with stopwatch() as elapsed:
        for _ in range(count):
            store.ping()
    return elapsed()


def _passkey_verifies(count: int) -> float:
    """What identity does with a passkey's answer to a challenge: WebAuthn checks and the signature, made beforehand."""
    party, authenticator = RelyingParty(id="portal.example.org", origin="https://portal.example.org"), SoftwareAuthenticator()
    options = generate_registration_options(rp_id=party.id, rp_name="ContactPoint", user_name="bench", user_id=b"bench")
    passkey = verify_registration_response(
        credential=authenticator.create(json.loads(options_to_json(options)), party.origin),
        expected_challenge=options.challenge, expected_rp_id=party.id, expected_origin=party.origin)
    challenges = [os.urandom(32) for _ in range(count)]
    answers = [authenticator.get({"rpId": party.id, "challenge": bytes_to_base64url(one)}, party.origin) for one in challenges]
    with stopwatch() as elapsed:
        for sign_count, (challenge, answer) in enumerate(zip(challenges, answers)):
            verify_assertion(party, answer, challenge, passkey.credential_public_key, sign_count)
    return elapsed()


def _argon2_verifies(count: int) -> float:
    stored = hash_password("a password to check against")
    with stopwatch() as elapsed:
        for _ in range(count):
            password_matches(stored, "a wrong password")
    return elapsed()
