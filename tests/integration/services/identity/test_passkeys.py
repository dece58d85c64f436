"""Passkeys through the HTTP API: the signed-in holder registers one (user verification required) and signs in with
password and passkey; an answer made for another origin, or sent again, is refused as any wrong factor is; an
account that requires a passkey no longer signs in with a one-time code. The authenticator here is software;
the browser tests use Chromium's virtual one."""
import pytest

from tests.integration.services.identity.identity_support import identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import an_account, an_address, bearer, log_in, signed_in_token
from tests.software_authenticator import SoftwareAuthenticator

pytestmark = pytest.mark.integration


@pytest.fixture
def origin(migrated):
    return migrated.webauthn_origin


def register(http, account, origin, authenticator, *, required=False):
    token = signed_in_token(http, account)
    asked = http.post("/api/v1/auth/passkeys/challenge", headers=bearer(token))
    assert asked.status_code == 200, asked.get_json()
    ceremony, options = asked.get_json()["ceremony"], asked.get_json()["options"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    return http.post("/api/v1/auth/passkeys", headers=bearer(token), json={
        "ceremony": ceremony, "credential": authenticator.create(options, origin), "required": required})


def passkey_sign_in(http, account, origin, authenticator, *, answer_origin=None, answer=None):
    asked = http.post("/api/v1/auth/passkey-challenge", json={"username": account.username},
                      environ_base={"REMOTE_ADDR": an_address()})
    assert asked.status_code == 200, asked.get_json()
    ceremony = asked.get_json()["ceremony"]
    answer = answer or authenticator.get(asked.get_json()["options"], answer_origin or origin)
    signed_in = http.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": an_address()}, json={
        "username": account.username, "password": account.password, "passkey": {"ceremony": ceremony, "credential": answer}})
    return signed_in, ceremony, answer


def test_the_holder_registers_a_passkey_and_signs_in_with_it(http, identity, origin):
    account, authenticator = an_account(identity), SoftwareAuthenticator()

    registered = register(http, account, origin, authenticator)
    signed_in, _, _ = passkey_sign_in(http, account, origin, authenticator)

    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json() == {"passkeys": 1, "passkey_required": False}
    assert signed_in.status_code == 200, signed_in.get_json()
    assert signed_in.get_json()["token_type"] == "Bearer"


def test_an_answer_made_for_another_origin_is_refused_as_a_wrong_factor(http, identity, origin):
    account, authenticator = an_account(identity), SoftwareAuthenticator()
    register(http, account, origin, authenticator)

    refused, _, _ = passkey_sign_in(http, account, origin, authenticator, answer_origin="https://contactpoint.example.net")

    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "not_authenticated"


def test_a_replayed_answer_is_refused(http, identity, origin):
    account, authenticator = an_account(identity), SoftwareAuthenticator()
    register(http, account, origin, authenticator)
    first, ceremony, answer = passkey_sign_in(http, account, origin, authenticator)

    again = http.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": an_address()}, json={
        "username": account.username, "password": account.password, "passkey": {"ceremony": ceremony, "credential": answer}})
    under_a_new_challenge, _, _ = passkey_sign_in(http, account, origin, authenticator, answer=answer)

    assert first.status_code == 200
    assert again.status_code == 401 and under_a_new_challenge.status_code == 401


def test_an_account_that_requires_a_passkey_no_longer_signs_in_with_a_code(http, identity, origin):
    account, authenticator = an_account(identity), SoftwareAuthenticator()

    assert register(http, account, origin, authenticator, required=True).get_json()["passkey_required"] is True
    with_a_code = log_in(http, account, client=an_address())
    with_the_passkey, _, _ = passkey_sign_in(http, account, origin, authenticator)

    assert with_a_code.status_code == 401
    assert with_the_passkey.status_code == 200


def test_only_someone_signed_in_registers_a_passkey(http):
    assert http.post("/api/v1/auth/passkeys/challenge").status_code == 401


def test_a_passkey_without_user_verification_is_not_registered(http, identity, origin):
    refused = register(http, an_account(identity), origin, SoftwareAuthenticator(user_verified=False))

    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "passkey_refused"


def test_a_sign_in_with_neither_code_nor_passkey_is_a_clear_error(http, identity):
    account = an_account(identity)
    answer = http.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": an_address()},
                       json={"username": account.username, "password": account.password})

    assert answer.status_code == 400 and "passkey" in answer.get_json()["error"]["message"]
