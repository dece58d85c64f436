"""Whoever verifies the audit store needs only the checkpoint key's public half: with it they check every
checkpoint's signature, and cannot sign one. A public key that did not sign the checkpoints fails them.
After the checkpoint key is changed, the old public key beside the new one checks the whole history."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from services.audit.bootstrap import bootstrap
from services.audit.checkpoints import key_id, new_key, public_key_of, signing_key
from shared.contracts.requests import CHECKPOINT_AUDIT, VERIFY_AUDIT
from shared.errors import InvalidRequest
from shared.settings import Settings
from tests.integration.services.audit.conftest import lookups
from tests.support import environment_for
from contactpoint.commands.common import operator

pytestmark = pytest.mark.integration

OPERATOR = {"username": "cli:tester", "la_code": "national", "role": "operator", "category": None}


@contextmanager
def started(settings: Settings) -> Iterator:
    service = bootstrap(settings)
    try:
        yield service
    finally:
        service.close()


def verifier(settings: Settings):
    """The audit service as an auditor runs it: these settings, and no signing key."""
    return started(settings.but(checkpoint_key=""))


def the_id_of(encoded_key: str) -> str:
    return key_id(signing_key(encoded_key).public_key())


def verify(service, **request) -> dict:
    return service.perform(VERIFY_AUDIT, {"actor": OPERATOR, **request})


def audit_verify(*args: str, settings: Settings) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("contactpoint")), "audit", "verify", *args],
                          env=environment_for(settings), capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def checkpointed(audit, store) -> list[dict]:
    """A store of five events with two checkpoints, signed with the store's own checkpoint key."""
    store(*lookups(2))
    first = audit.perform(CHECKPOINT_AUDIT, {"actor": operator()})
    store(*lookups(3))
    second = audit.perform(CHECKPOINT_AUDIT, {"actor": operator()})
    return [first, second]


def test_the_public_key_alone_checks_every_checkpoint_of_an_intact_store(audit_store, checkpointed):
    public = public_key_of(audit_store.checkpoint_key)

    with verifier(audit_store) as service:
        verdict = verify(service, public_keys=[public])

    assert verdict["intact"] and verdict["checkpoints"] == 2 and verdict["signatures_checked"]
    assert verdict["key_ids"] == [the_id_of(audit_store.checkpoint_key)]


def test_the_public_key_may_be_configured_as_cp_checkpoint_public_key(audit_store, checkpointed):
    with verifier(audit_store.but(checkpoint_public_key=public_key_of(audit_store.checkpoint_key))) as service:
        verdict = verify(service)

    assert verdict["intact"] and verdict["signatures_checked"]


def test_the_public_key_in_the_request_wins_over_the_configured_one(audit_store, checkpointed):
    with verifier(audit_store.but(checkpoint_public_key=public_key_of(new_key()))) as service:
        assert not verify(service)["intact"]
        assert verify(service, public_keys=[public_key_of(audit_store.checkpoint_key)])["intact"]


def test_another_keys_public_key_fails_the_store_at_its_first_checkpoint(audit_store, checkpointed):
    with verifier(audit_store) as service:
        verdict = verify(service, public_keys=[public_key_of(new_key())])

    assert not verdict["intact"] and verdict["signatures_checked"]
    assert verdict["first_bad_seq"] == checkpointed[0]["seq"] == 2
    first = verdict["faults"][0]["what"]
    assert first.startswith("checkpoint ") and "at sequence 2 is not signed by the checkpoint key" in first


def test_with_no_key_at_all_the_chain_is_walked_but_signatures_go_unchecked(audit_store, checkpointed):
    with verifier(audit_store) as service:
        verdict = verify(service)

    assert verdict["intact"] and verdict["checkpoints"] == 2
    assert not verdict["signatures_checked"] and verdict["key_ids"] == []


@pytest.mark.parametrize("public_key", ["", "not-a-key", public_key_of(new_key())[:-8]], ids=["empty", "not-a-key", "cut-short"])
def test_a_public_key_that_is_not_one_is_an_invalid_request_naming_its_place(audit, public_key):
    with pytest.raises(InvalidRequest, match=r"^public_keys\.1: not a checkpoint public key"):
        verify(audit, public_keys=[public_key_of(new_key()), public_key])


def test_audit_verify_on_the_command_line_checks_with_public_key_and_fails_with_another(audit_store, checkpointed):
    keyless = audit_store.but(checkpoint_key="")

    right = audit_verify("--public-key", public_key_of(audit_store.checkpoint_key), settings=keyless)
    wrong = audit_verify("--public-key", public_key_of(new_key()), settings=keyless)
    unchecked = audit_verify(settings=keyless)

    assert right.returncode == 0, right.stderr
    assert right.stdout.startswith("intact: 5 events, 2 checkpoints")
    assert f"checkpoint signatures checked with key {the_id_of(audit_store.checkpoint_key)}" in right.stdout
    first_bad, first_fault = wrong.stdout.splitlines()[:2]
    assert wrong.returncode != 0
    assert first_bad == "first bad sequence: 2" and "at sequence 2 is not signed by the checkpoint key" in first_fault
    assert unchecked.returncode == 0 and "checkpoint signatures not checked" in unchecked.stdout


@pytest.fixture
def rotated(audit_store, checkpointed, store) -> Settings:
    """The store of ``checkpointed`` (two checkpoints signed with its first key, at 2 and 5), three events more, and a
    third checkpoint signed by the audit service restarted with a new CP_CHECKPOINT_KEY: the settings it runs with now."""
    store(*lookups(3))
    now = audit_store.but(checkpoint_key=new_key())
    with started(now) as service:
        service.perform(CHECKPOINT_AUDIT, {"actor": operator()})
    return now


def test_after_a_change_of_key_the_old_and_new_public_keys_configured_check_the_whole_history(audit_store, rotated):
    old, new = public_key_of(audit_store.checkpoint_key), public_key_of(rotated.checkpoint_key)

    with verifier(rotated.but(checkpoint_public_key=f"{old},{new}")) as service:
        verdict = verify(service)

    assert verdict["intact"] and verdict["checkpoints"] == 3 and verdict["signatures_checked"]
    assert verdict["key_ids"] == [the_id_of(audit_store.checkpoint_key), the_id_of(rotated.checkpoint_key)]


def test_the_service_checks_with_its_own_keys_half_beside_the_old_public_key_configured(audit_store, rotated):
    with started(rotated.but(checkpoint_public_key=public_key_of(audit_store.checkpoint_key))) as service:
        verdict = verify(service)

    assert verdict["intact"] and verdict["key_ids"] == [the_id_of(audit_store.checkpoint_key), the_id_of(rotated.checkpoint_key)]


def test_with_the_new_public_key_alone_the_store_fails_at_the_first_checkpoint_of_the_old_key(audit_store, rotated):
    with verifier(rotated.but(checkpoint_public_key=public_key_of(rotated.checkpoint_key))) as service:
        verdict = verify(service)

    assert not verdict["intact"] and verdict["first_bad_seq"] == 2
    assert [fault["seq"] for fault in verdict["faults"]] == [2, 5]
    assert verdict["faults"][0]["what"].endswith(f"at sequence 2 is not signed by the checkpoint key {the_id_of(rotated.checkpoint_key)} "
                                                 f"(it names key {the_id_of(audit_store.checkpoint_key)})")


def test_after_a_change_of_key_the_old_and_new_public_keys_in_the_request_check_the_whole_history(audit_store, rotated):
    with verifier(rotated) as service:
        both = verify(service, public_keys=[public_key_of(audit_store.checkpoint_key), public_key_of(rotated.checkpoint_key)])
        new_only = verify(service, public_keys=[public_key_of(rotated.checkpoint_key)])

    assert both["intact"] and both["checkpoints"] == 3
    assert not new_only["intact"] and new_only["first_bad_seq"] == 2
    assert f"(it names key {the_id_of(audit_store.checkpoint_key)})" in new_only["faults"][0]["what"]


def test_audit_verify_on_the_command_line_takes_the_old_and_new_public_keys(audit_store, rotated):
    old, new = public_key_of(audit_store.checkpoint_key), public_key_of(rotated.checkpoint_key)
    keyless = rotated.but(checkpoint_key="")

    both = audit_verify("--public-key", old, "--public-key", new, settings=keyless)
    new_only = audit_verify("--public-key", new, settings=keyless)

    assert both.returncode == 0, both.stderr
    assert both.stdout.startswith("intact: 8 events, 3 checkpoints")
    assert f"checkpoint signatures checked with keys {the_id_of(audit_store.checkpoint_key)}, {the_id_of(rotated.checkpoint_key)}" in both.stdout
    first_bad, first_fault = new_only.stdout.splitlines()[:2]
    assert new_only.returncode != 0
    assert first_bad == "first bad sequence: 2"
    assert first_fault.strip() == (f"checkpoint 1 at sequence 2 is not signed by the checkpoint key {the_id_of(rotated.checkpoint_key)} "
                                   f"(it names key {the_id_of(audit_store.checkpoint_key)})")
