"""A producer's missing event shows in `audit verify` as a gap; signed checkpoints of the chain head catch
a store cut short and rebuilt, which the chain alone cannot."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.audit.bootstrap import bootstrap
from services.audit.checkpoints import new_key, sign, signing_key
from services.audit.models import AuditRecord
from shared.contracts.requests import CHECKPOINT_AUDIT, VERIFY_AUDIT
from shared.errors import ConfigurationError
from shared.scheduling import schedules
from tests.integration.services.audit.conftest import lookups
from contactpoint.commands.common import operator

pytestmark = pytest.mark.integration

OPERATOR = {"username": "cli:tester", "la_code": "national", "role": "operator", "category": None}


def verify(audit) -> dict:
    return audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})


def checkpoint(audit) -> dict:
    return audit.perform(CHECKPOINT_AUDIT, {"actor": operator()})


def test_a_producers_missing_event_shows_as_a_gap_at_the_next_event_it_stored(audit, store):
    first, second, lost, fourth = lookups(4)
    store(first, second, fourth)

    verdict = verify(audit)

    assert not verdict["intact"]
    assert verdict["first_bad_seq"] == 3
    assert f"{lost.body['producer']}'s event {lost.body['producer_seq']} is missing" in verdict["faults"][0]["what"]


def test_events_stored_out_of_their_producers_order_leave_no_gap(audit, store):
    first, second, third = lookups(3)
    store(third, first, second)

    assert verify(audit)["intact"]


def test_events_of_producers_that_do_not_number_them_still_verify(audit, store):
    unnumbered = lookups(2)
    for envelope in unnumbered:
        del envelope.body["producer"], envelope.body["producer_seq"]
    store(*unnumbered)

    assert verify(audit)["intact"]


def test_checkpoints_are_signed_on_schedule():
    assert schedules()[CHECKPOINT_AUDIT] > 0


def test_a_checkpoint_signs_the_chain_head_once_until_it_moves(audit, store):
    store(*lookups(3))

    made = checkpoint(audit)
    again = checkpoint(audit)
    store(*lookups(1))
    moved = checkpoint(audit)

    assert (made["seq"], made["new"]) == (3, True)
    assert again["new"] is False
    assert (moved["seq"], moved["new"]) == (4, True)
    verdict = verify(audit)
    assert verdict["intact"] and verdict["checkpoints"] == 2 and verdict["signatures_checked"]


def test_a_store_cut_short_behind_a_checkpoint_is_found_even_with_its_head_rewound(audit, store, behind_the_back):
    store(*lookups(5))
    checkpoint(audit)
    with audit.db.sessions() as session:
        third = session.get(AuditRecord, 3).hash
    behind_the_back(
        "DELETE FROM audit.event_subjects WHERE seq > 3", "DELETE FROM audit.events WHERE seq > 3",
        f"UPDATE audit.chain_head SET seq = 3, hash = '{third}'",
    )

    verdict = verify(audit)

    assert verdict["first_bad_seq"] == 4
    assert "checkpoint" in verdict["faults"][0]["what"]


def test_a_checkpoint_signed_with_another_key_is_refused(audit, store, behind_the_back):
    store(*lookups(2))
    with audit.db.sessions() as session:
        head = session.get(AuditRecord, 2)
        forged = sign(signing_key(new_key()), 2, head.hash, "2026-01-01T00:00:00+00:00")
    behind_the_back("INSERT INTO audit.checkpoints (seq, hash, signed_at, key_id, signature) VALUES "
                    f"(2, '{forged['hash']}', '{forged['signed_at']}', '{forged['key_id']}', '{forged['signature']}')")

    verdict = verify(audit)

    assert verdict["first_bad_seq"] == 2 and "not signed by the checkpoint key" in verdict["faults"][0]["what"]


def test_a_checkpoint_needs_the_key(audit_store, store):
    keyless = bootstrap(audit_store.but(checkpoint_key=""))
    try:
        with pytest.raises(ConfigurationError, match="CP_CHECKPOINT_KEY"):
            checkpoint(keyless)
    finally:
        keyless.close()


def test_a_key_made_by_audit_keygen_signs_checkpoints_that_verify(audit_store, store):
    made = subprocess.run([str(Path(sys.executable).with_name("contactpoint")), "audit", "keygen", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    keyed = bootstrap(audit_store.but(checkpoint_key=json.loads(made.stdout)["checkpoint_key"]))
    try:
        store(*lookups(2))
        assert checkpoint(keyed)["new"]
        assert verify(keyed)["intact"]
    finally:
        keyed.close()
