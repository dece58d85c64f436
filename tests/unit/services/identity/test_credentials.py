"""The two factors: an Argon2id password, and a TOTP secret sealed at rest whose codes work once."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
from argon2 import PasswordHasher
import pytest
from cryptography.fernet import Fernet

from services.identity import credentials
from services.identity.credentials import STEP_SECONDS, TotpVault, accepted_step, enrolment_uri, hash_password, password_matches
from shared.errors import ConfigurationError

NOW = 1_700_000_015.0  # inside a step, not on its edge
STEP = int(NOW // STEP_SECONDS)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password("correct horse battery staple")


@pytest.fixture(scope="module")
def cheap_hash() -> str:
    """The same kind of hash made with the lowest cost, so that checking many wrong passwords stays quick."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery staple")


def code_at(step: int, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def test_a_password_is_stored_as_an_argon2id_hash_not_as_itself(stored_hash):
    assert stored_hash.startswith("$argon2id$")
    assert "correct horse" not in stored_hash


def test_the_right_password_matches_its_hash(stored_hash):
    assert password_matches(stored_hash, "correct horse battery staple")


@pytest.mark.parametrize("attempt", ["", "Correct horse battery staple", "correct horse battery staple "])
def test_any_other_password_does_not_match(cheap_hash, attempt):
    assert password_matches(cheap_hash, "correct horse battery staple")
    assert not password_matches(cheap_hash, attempt)


def test_an_unknown_account_matches_no_password_not_even_the_one_it_is_checked_against():
    assert not password_matches(None, "anything")


def test_a_stored_hash_that_is_not_argon2_matches_nothing():
    assert not password_matches("not-a-hash", "not-a-hash")


def test_new_passwords_are_long_and_never_repeated():
    passwords = {credentials.new_password() for _ in range(100)}

    assert len(passwords) == 100
    assert all(len(password) >= 16 for password in passwords)


@pytest.fixture
def vault() -> TotpVault:
    return TotpVault(Fernet.generate_key().decode())


def test_a_sealed_secret_opens_to_itself_with_the_same_key(vault):
    sealed = vault.seal(SECRET)

    assert SECRET not in sealed
    assert vault.open(sealed) == SECRET


def test_the_same_secret_seals_differently_each_time(vault):
    assert vault.seal(SECRET) != vault.seal(SECRET)


def test_a_new_secret_is_base32_shown_once_and_stored_sealed(vault):
    secret, sealed = vault.new_secret()

    assert len(secret) >= 16 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert vault.open(sealed) == secret
    assert secret not in sealed


def test_a_secret_sealed_under_another_key_cannot_be_opened(vault):
    other = TotpVault(Fernet.generate_key().decode())

    with pytest.raises(ConfigurationError, match="cannot be decrypted"):
        vault.open(other.seal(SECRET))


def test_a_sealed_secret_that_was_altered_cannot_be_opened(vault):
    sealed = vault.seal(SECRET)
    altered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]

    with pytest.raises(ConfigurationError):
        vault.open(altered)


@pytest.mark.parametrize("key", ["", "too-short", "x" * 44])
def test_a_key_that_is_not_a_fernet_key_is_a_configuration_error(key):
    with pytest.raises(ConfigurationError, match="CP_TOTP_KEY"):
        TotpVault(key)


def test_the_enrolment_uri_names_contactpoint_the_account_and_its_secret():
    uri = urlsplit(enrolment_uri(SECRET, "sam.patel"))
    query = parse_qs(uri.query)

    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/ContactPoint:sam.patel"
    assert query["secret"] == [SECRET] and query["issuer"] == ["ContactPoint"]


def test_the_code_of_the_current_step_is_accepted_and_gives_its_step():
    assert accepted_step(SECRET, code_at(STEP), last_step=0, now=NOW) == STEP


def test_a_code_one_step_either_side_is_accepted_for_clocks_that_drift():
    assert accepted_step(SECRET, code_at(STEP - 1), last_step=0, now=NOW) == STEP - 1
    assert accepted_step(SECRET, code_at(STEP + 1), last_step=0, now=NOW) == STEP + 1


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_a_code_further_from_now_is_refused(offset):
    assert accepted_step(SECRET, code_at(STEP + offset), last_step=0, now=NOW) is None


def test_a_wrong_code_is_refused():
    wrong = f"{(int(code_at(STEP)) + 1) % 1_000_000:06d}"

    assert accepted_step(SECRET, wrong, last_step=0, now=NOW) is None


def test_a_code_for_another_secret_is_refused():
    assert accepted_step(SECRET, code_at(STEP, secret=pyotp.random_base32()), last_step=0, now=NOW) is None


def test_a_code_once_used_cannot_be_used_again():
    used = accepted_step(SECRET, code_at(STEP), last_step=0, now=NOW)

    assert accepted_step(SECRET, code_at(STEP), last_step=used, now=NOW) is None
    assert accepted_step(SECRET, code_at(STEP), last_step=used, now=NOW + 20) is None


def test_after_a_code_is_used_an_older_one_still_within_the_drift_is_refused():
    used = accepted_step(SECRET, code_at(STEP), last_step=0, now=NOW)

    assert accepted_step(SECRET, code_at(STEP - 1), last_step=used, now=NOW) is None


def test_the_code_of_the_next_step_is_accepted_after_the_current_one_was_used():
    used = accepted_step(SECRET, code_at(STEP), last_step=0, now=NOW)

    assert accepted_step(SECRET, code_at(STEP + 1), last_step=used, now=NOW + STEP_SECONDS) == STEP + 1


def test_a_code_from_the_real_clock_is_accepted_without_giving_the_time():
    assert accepted_step(SECRET, pyotp.TOTP(SECRET).now(), last_step=0) is not None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_a_code_of_the_wrong_shape_is_refused(code):
    assert accepted_step(SECRET, code, last_step=0, now=NOW) is None


@pytest.mark.parametrize("code", ["12345é", "１２３４５６"], ids=["accented", "full-width-digits"])
def test_a_code_with_characters_outside_ascii_is_simply_refused(code):
    assert accepted_step(SECRET, code, last_step=0, now=NOW) is None
