"""The audit store keeps what it holds: the database refuses changes, and `audit verify` names the first
sequence where someone who switched the refusal off changed, removed or reordered an event."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.audit.chain import link
from services.audit.models import AuditRecord
from shared.contracts.requests import VERIFY_AUDIT
from tests.integration.services.audit.conftest import libpq_url, lookups
from tests.support import environment_for

pytestmark = pytest.mark.integration

OPERATOR = {"username": "cli:tester", "la_code": "national", "role": "operator", "category": None}


def verify(audit) -> dict:
    return audit.perform(VERIFY_AUDIT, {"actor": OPERATOR})


@pytest.fixture
def five(store):
    return store(*lookups(5))


def test_an_untouched_store_verifies(audit, five):
    verdict = verify(audit)

    assert verdict["intact"] and verdict["first_bad_seq"] is None
    assert verdict["events"] >= 5


def test_an_event_delivered_twice_is_stored_once(audit, store):
    (event,) = store(*lookups(1))
    store(event, event)

    with audit.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.event_id == event.message_id)) == 1
    assert verify(audit)["intact"]


@pytest.mark.parametrize("statement", [
    "UPDATE audit.events SET action = 'search' WHERE seq = 2",
    "DELETE FROM audit.events WHERE seq = 2",
    "TRUNCATE audit.events CASCADE",
], ids=["update", "delete", "truncate"])
def test_the_database_refuses_to_change_or_remove_an_event(audit_store, five, statement):
    with psycopg.connect(libpq_url(audit_store, make_url(audit_store.database_url).database)) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            connection.execute(statement)


def test_an_altered_event_is_named_by_its_sequence(audit, five, behind_the_back):
    behind_the_back("""UPDATE audit.events SET event = jsonb_set(event::jsonb, '{purpose}', '"wellbeing"')::json WHERE seq = 3""")

    verdict = verify(audit)

    assert not verdict["intact"] and verdict["first_bad_seq"] == 3


def test_an_altered_event_with_its_hash_recomputed_is_found_at_the_next(audit, five, behind_the_back):
    with audit.db.sessions() as session:
        row = session.get(AuditRecord, 3)
        forged = {**row.event, "purpose": "wellbeing"}
        forged_hash = link(row.prev_hash, 3, forged)
    behind_the_back(f"UPDATE audit.events SET event = '{json.dumps(forged)}'::json, hash = '{forged_hash}' WHERE seq = 3")

    assert verify(audit)["first_bad_seq"] == 4


def test_a_column_changed_to_hide_an_event_from_a_search_is_found(audit, five, behind_the_back):
    behind_the_back("UPDATE audit.events SET actor_username = 'someone.else' WHERE seq = 2")

    verdict = verify(audit)

    assert verdict["first_bad_seq"] == 2 and "actor_username" in verdict["faults"][0]["what"]


def test_a_deleted_event_is_named_by_its_sequence(audit, five, behind_the_back):
    behind_the_back("DELETE FROM audit.event_subjects WHERE seq = 3", "DELETE FROM audit.events WHERE seq = 3")

    assert verify(audit)["first_bad_seq"] == 3


def test_the_last_event_deleted_shows_against_the_chain_head(audit, five, behind_the_back):
    behind_the_back("DELETE FROM audit.event_subjects WHERE seq = 5", "DELETE FROM audit.events WHERE seq = 5")

    assert verify(audit)["first_bad_seq"] == 5


def test_two_events_swapped_are_named_at_the_first_of_them(audit, five, behind_the_back):
    behind_the_back(
        "UPDATE audit.events SET seq = -2 WHERE seq = 2",
        "UPDATE audit.events SET seq = 2 WHERE seq = 3",
        "UPDATE audit.events SET seq = 3 WHERE seq = -2",
    )

    assert verify(audit)["first_bad_seq"] == 2


def audit_verify_command(settings) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("contactpoint")
    return subprocess.run([str(command), "audit", "verify"], env=environment_for(settings), capture_output=True, text=True, timeout=60)


def test_the_command_exits_zero_on_an_intact_store_and_names_the_first_bad_sequence_otherwise(audit_store, five, behind_the_back):
    intact = audit_verify_command(audit_store)
    assert intact.returncode == 0, intact.stderr
    assert "intact" in intact.stdout

    behind_the_back("DELETE FROM audit.event_subjects WHERE seq = 4", "DELETE FROM audit.events WHERE seq = 4")
    broken = audit_verify_command(audit_store)

    assert broken.returncode != 0
    assert broken.stdout.splitlines()[0] == "first bad sequence: 4"
    assert "Traceback" not in broken.stderr
