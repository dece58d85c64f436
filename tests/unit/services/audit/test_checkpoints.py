"""Checkpoint keys: the public half checks what the private key signs, and a key that is not one is refused."""
from __future__ import annotations

import base64

import pytest

from services.audit.checkpoints import (
    Checkpoint,
    checking_key,
    configured_checking_keys,
    key_id,
    new_key,
    public_key_of,
    sign,
    signature_holds,
    signing_key,
)
from shared.errors import ConfigurationError


def signed_with(key: str) -> Checkpoint:
    return Checkpoint(1, **sign(signing_key(key), 3, "f" * 64, "2026-11-25T10:00:00+00:00"))


def test_the_public_key_of_a_key_checks_what_that_key_signs_and_nothing_another_signs():
    key, other = new_key(), new_key()

    public = checking_key(public_key_of(key))

    assert signature_holds(public, signed_with(key))
    assert not signature_holds(public, signed_with(other))
    assert key_id(public) == signed_with(key).key_id


def test_a_public_key_is_encoded_as_the_private_key_is():
    key = new_key()

    assert len(base64.urlsafe_b64decode(public_key_of(key))) == len(base64.urlsafe_b64decode(key)) == 32
    assert public_key_of(key).endswith("=") and key.endswith("=")


def test_a_public_key_without_its_padding_or_with_a_trailing_newline_is_still_read():
    public = public_key_of(new_key())

    assert key_id(checking_key(public.rstrip("="))) == key_id(checking_key(public + "\n")) == key_id(checking_key(public))


@pytest.mark.parametrize("text", ["", "nonsense", "hYQFcEyPxTSZ2Arm9YP8L2yjjfIPzZ0TSnAVA0WbXog=AAAA", "hYQFcEyPxTSZ2Arm9YP8L2yjjf!PzZ0TSnAVA0WbXog="])
def test_what_is_not_32_bytes_in_base64_is_not_a_public_key(text):
    with pytest.raises(ValueError):
        checking_key(text)


def key_ids(keys) -> list[str]:
    return [key_id(key) for key in keys]


def the_id_of(encoded_key: str) -> str:
    return key_id(signing_key(encoded_key).public_key())


def test_the_configured_public_keys_check_signatures_beside_the_signing_keys_own_half():
    key, old, older = new_key(), new_key(), new_key()

    configured = configured_checking_keys(f"{public_key_of(older)},{public_key_of(old)}", key)

    assert key_ids(configured) == [the_id_of(older), the_id_of(old), the_id_of(key)]


def test_the_configured_public_keys_alone_check_signatures_where_the_signing_key_is_not_held():
    old, new = new_key(), new_key()

    assert key_ids(configured_checking_keys(f"{public_key_of(old)},{public_key_of(new)}", "")) == [the_id_of(old), the_id_of(new)]
    assert key_ids(configured_checking_keys(public_key_of(new), "")) == [the_id_of(new)]


def test_unset_the_signing_keys_own_half_checks_signatures():
    key = new_key()

    assert key_ids(configured_checking_keys("", key)) == [the_id_of(key)]


def test_spaces_around_the_commas_and_empty_places_between_them_are_ignored():
    old, new = new_key(), new_key()

    configured = configured_checking_keys(f" {public_key_of(old)} ,, {public_key_of(new)},\n", "")

    assert key_ids(configured) == [the_id_of(old), the_id_of(new)]


def test_with_no_key_configured_nothing_checks_signatures():
    assert configured_checking_keys("", "") == []


def test_a_configured_public_key_that_is_not_one_is_a_configuration_error_naming_its_variable_and_place():
    with pytest.raises(ConfigurationError, match="^CP_CHECKPOINT_PUBLIC_KEY: key 2 of 2 is not 32 bytes"):
        configured_checking_keys(f"{public_key_of(new_key())},nonsense", new_key())
