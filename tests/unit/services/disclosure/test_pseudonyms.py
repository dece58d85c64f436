"""Keyed pseudonyms: stable for a key and recipient, different for another recipient or key, never the id itself."""
import pytest

from services.disclosure.pseudonyms import Pseudonymiser
from shared.errors import ConfigurationError, InvalidRequest

CHILD = "CP-12345-67890-12345-67890"


def test_the_same_key_and_recipient_give_the_same_pseudonym_every_time():
    first, again = Pseudonymiser("secret"), Pseudonymiser("secret")

    assert first.for_recipient("uni-leeds")(first.base(CHILD)) == again.for_recipient("uni-leeds")(again.base(CHILD))
    assert first.for_recipient(None)(first.base(CHILD)) == again.for_recipient(None)(again.base(CHILD))


def test_recipients_and_keys_each_get_their_own_pseudonyms():
    keys = Pseudonymiser("secret")
    base = keys.base(CHILD)
    pseudonyms = {keys.for_recipient(None)(base), keys.for_recipient("uni-leeds")(base), keys.for_recipient("ons")(base),
                  Pseudonymiser("another secret").for_recipient("uni-leeds")(Pseudonymiser("another secret").base(CHILD))}

    assert len(pseudonyms) == 4
    assert base not in pseudonyms and CHILD not in base


def test_without_a_key_nothing_is_pseudonymised():
    with pytest.raises(ConfigurationError, match="CP_PSEUDONYM_KEY"):
        Pseudonymiser("")


def test_a_recipient_name_is_plain():
    with pytest.raises(InvalidRequest):
        Pseudonymiser("secret").for_recipient("Uni of Leeds/../x")
