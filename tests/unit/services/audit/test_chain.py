"""The audit hash chain: each hash covers its event and the hash before, so any change shows from there on."""
from __future__ import annotations

import copy

import pytest

from services.audit.chain import GENESIS, canonical, link


def event(n: int, **changes) -> dict:
    return {"event_id": f"e-{n}", "service": "directory", "action": "read", "la_code": "E08000035",
            "actor": {"username": "sam.patel", "role": "practitioner"}, "contactpoint_ids": [f"CP-{n}"], **changes}


def chained(events: list[dict]) -> list[dict]:
    """Stores events the way the audit service does: seq from 1, each linked to the hash before it."""
    rows, prev = [], GENESIS
    for seq, body in enumerate(events, start=1):
        digest = link(prev, seq, body)
        rows.append({"seq": seq, "event": copy.deepcopy(body), "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def first_broken(rows: list[dict]) -> int | None:
    """The first sequence number whose stored link no longer follows from what is stored, as a verifier would find it."""
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq or row["prev_hash"] != prev or link(prev, row["seq"], row["event"]) != row["hash"]:
            return expected_seq
        prev = row["hash"]
    return None


@pytest.fixture
def rows() -> list[dict]:
    return chained([event(n) for n in range(1, 6)])


def test_an_untouched_chain_verifies(rows):
    assert first_broken(rows) is None


def test_a_link_is_a_sha256_hex_digest_and_the_chain_starts_from_zeros():
    assert GENESIS == "0" * 64
    digest = link(GENESIS, 1, event(1))
    assert len(digest) == 64 and int(digest, 16) >= 0


def test_the_same_event_at_the_same_place_always_gives_the_same_hash():
    assert link(GENESIS, 1, event(1)) == link(GENESIS, 1, event(1))


def test_the_order_of_keys_in_an_event_does_not_change_its_hash():
    forwards = {"a": 1, "b": {"c": 2, "d": 3}}
    backwards = {"b": {"d": 3, "c": 2}, "a": 1}

    assert canonical(forwards) == canonical(backwards)
    assert link(GENESIS, 1, forwards) == link(GENESIS, 1, backwards)


def test_text_outside_ascii_is_hashed_as_written():
    assert "Zoë".encode() in canonical({"name": "Zoë"})
    assert link(GENESIS, 1, {"name": "Zoë"}) != link(GENESIS, 1, {"name": "Zoe"})


def test_the_hash_depends_on_the_event_its_place_and_the_hash_before():
    base = link(GENESIS, 1, event(1))

    assert link(GENESIS, 2, event(1)) != base
    assert link("f" * 64, 1, event(1)) != base
    assert link(GENESIS, 1, event(1, action="search")) != base


def test_a_sequence_number_cannot_be_shifted_into_the_event_text():
    # "1" + "\n" + '{"a":1}' must not equal "11" + "\n" + ...: the newline ends the number.
    assert link(GENESIS, 1, {"a": 1}) != link(GENESIS, 11, {"a": 1})


@pytest.mark.parametrize("change", [
    lambda e: e.update(action="search"),
    lambda e: e["actor"].update(username="someone.else"),
    lambda e: e["contactpoint_ids"].append("CP-HIDDEN"),
    lambda e: e.pop("la_code"),
    lambda e: e.update(extra=None),
], ids=["field", "nested-field", "list-item", "removed-field", "added-field"])
def test_changing_a_stored_event_is_detected_at_that_event(rows, change):
    change(rows[2]["event"])

    assert first_broken(rows) == 3


def test_changing_an_event_and_its_hash_is_detected_at_the_next_event(rows):
    rows[2]["event"]["action"] = "search"
    rows[2]["hash"] = link(rows[2]["prev_hash"], 3, rows[2]["event"])

    assert first_broken(rows) == 4


def test_a_change_to_one_event_changes_every_hash_after_it(rows):
    rows[1]["event"]["action"] = "search"
    forged = chained([row["event"] for row in rows])

    assert forged[0]["hash"] == rows[0]["hash"]
    assert all(new["hash"] != old["hash"] for new, old in zip(forged[1:], rows[1:]))


def test_removing_an_event_is_detected_where_it_was(rows):
    del rows[2]

    assert first_broken(rows) == 3


def test_swapping_two_events_is_detected_at_the_first_of_them(rows):
    rows[1]["event"], rows[2]["event"] = rows[2]["event"], rows[1]["event"]

    assert first_broken(rows) == 2


def test_an_event_inserted_in_the_middle_is_detected(rows):
    rows.insert(2, {"seq": 3, "event": event(99), "prev_hash": rows[1]["hash"], "hash": link(rows[1]["hash"], 3, event(99))})

    assert first_broken(rows) == 4
