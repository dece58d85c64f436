"""Passkey ceremonies: a registered passkey signs in; another origin, a replayed answer, an unverified user,
a counter gone back and an expired or reused challenge are refused."""
import fakeredis
import pytest
from webauthn.helpers import bytes_to_base64url

from services.identity.passkeys import Ceremonies, PasskeyRefused, RelyingParty, verify_assertion
from tests.software_authenticator import SoftwareAuthenticator

PARTY = RelyingParty(id="portal.example.org", origin="https://portal.example.org")


@pytest.fixture
def ceremonies():
    return Ceremonies(fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True), PARTY)


def register(ceremonies, authenticator, username="sam"):
    asked = ceremonies.registration_options(username, b"handle-of-sam", [])
    return ceremonies.registered(username, asked["ceremony"], authenticator.create(asked["options"], PARTY.origin))


def test_a_registered_passkey_signs_in_and_its_counter_moves_on(ceremonies):
    authenticator = SoftwareAuthenticator()
    passkey = register(ceremonies, authenticator)

    asked = ceremonies.sign_in_options("sam")
    count = ceremonies.signed_in("sam", asked["ceremony"], authenticator.get(asked["options"], PARTY.origin),
                                 passkey.public_key, passkey.sign_count)

    assert passkey.credential_id == authenticator.credential_id
    assert asked["options"]["userVerification"] == "required" and asked["options"]["allowCredentials"] == []
    assert count == 1


def test_an_answer_made_for_another_origin_is_refused(ceremonies):
    authenticator = SoftwareAuthenticator()
    passkey = register(ceremonies, authenticator)

    asked = ceremonies.sign_in_options("sam")
    with pytest.raises(PasskeyRefused, match="origin"):
        ceremonies.signed_in("sam", asked["ceremony"], authenticator.get(asked["options"], "https://portal.example.org.evil.example"),
                             passkey.public_key, passkey.sign_count)


def test_a_replayed_answer_is_refused_for_its_challenge_was_used(ceremonies):
    authenticator = SoftwareAuthenticator()
    passkey = register(ceremonies, authenticator)
    asked = ceremonies.sign_in_options("sam")
    answer = authenticator.get(asked["options"], PARTY.origin)
    count = ceremonies.signed_in("sam", asked["ceremony"], answer, passkey.public_key, passkey.sign_count)

    with pytest.raises(PasskeyRefused, match="no passkey challenge"):
        ceremonies.signed_in("sam", asked["ceremony"], answer, passkey.public_key, count)


def test_a_replayed_answer_under_a_new_challenge_is_refused_by_its_counter_too():
    authenticator, challenge = SoftwareAuthenticator(), b"c" * 32
    passkey = register(Ceremonies(fakeredis.FakeRedis(decode_responses=True), PARTY), authenticator)
    options = {"rpId": PARTY.id, "challenge": bytes_to_base64url(challenge)}
    answer = authenticator.get(options, PARTY.origin)
    count = verify_assertion(PARTY, answer, challenge, passkey.public_key, passkey.sign_count)

    with pytest.raises(PasskeyRefused, match="sign count"):
        verify_assertion(PARTY, answer, challenge, passkey.public_key, count)


def test_a_passkey_without_user_verification_is_not_registered(ceremonies):
    with pytest.raises(PasskeyRefused, match="verif"):
        register(ceremonies, SoftwareAuthenticator(user_verified=False))


def test_no_challenge_no_sign_in(ceremonies):
    authenticator = SoftwareAuthenticator()
    passkey = register(ceremonies, authenticator)
    forged = authenticator.get({"rpId": PARTY.id, "challenge": "AAAA"}, PARTY.origin)

    with pytest.raises(PasskeyRefused, match="no passkey challenge"):
        ceremonies.signed_in("sam", "made-up", forged, passkey.public_key, passkey.sign_count)


def test_a_stranger_asking_for_options_does_not_spoil_the_holders_ceremony(ceremonies):
    authenticator = SoftwareAuthenticator()
    passkey = register(ceremonies, authenticator)
    holders = ceremonies.sign_in_options("sam")
    ceremonies.sign_in_options("sam")

    answer = authenticator.get(holders["options"], PARTY.origin)
    assert ceremonies.signed_in("sam", holders["ceremony"], answer, passkey.public_key, passkey.sign_count) == 1
