"""Verifying a store: producers' numbering, the columns kept beside events, and signed checkpoints."""
from __future__ import annotations

from services.audit import chain
from services.audit.checkpoints import Checkpoint, key_id, new_key, sign, signing_key
from services.audit.verification import ProducerNumbers, StoredEvent, verify


def an_event(n: int, producer: str | None = "directory@a", number: int | None = None) -> dict:
    return {"event_id": f"e-{n}", "occurred_at": "2026-11-25T10:00:00+00:00", "service": "directory", "action": "read",
            "la_code": "E08000035", "actor": {"username": "sam"}, "producer": producer, "producer_seq": number or n}


def stored(events: list[dict]) -> list[StoredEvent]:
    rows, prev = [], chain.GENESIS
    for seq, event in enumerate(events, start=1):
        digest = chain.link(prev, seq, event)
        rows.append(StoredEvent(seq, event, prev, digest, chain.indexed_as_stored(event)))
        prev = digest
    return rows


def head_of(rows: list[StoredEvent]) -> tuple[int, str]:
    return rows[-1].seq, rows[-1].hash


def test_numbers_in_order_or_a_little_out_of_it_leave_no_gap():
    numbers = ProducerNumbers()
    for seq, number in enumerate([1, 3, 2, 4, 6, 5], start=1):
        numbers.take(seq, "p", number)

    assert numbers.gaps() == [] and numbers.faults == []


def test_a_missing_number_shows_at_the_first_event_stored_after_it():
    numbers = ProducerNumbers()
    for seq, number in enumerate([1, 2, 5, 6], start=1):
        numbers.take(seq, "p", number)

    (gap,) = numbers.gaps()

    assert gap.seq == 3 and "event 3 to 4 is missing" in gap.what


def test_a_producer_whose_first_events_never_came_shows_a_gap():
    numbers = ProducerNumbers()
    numbers.take(1, "p", 2)

    assert [gap.seq for gap in numbers.gaps()] == [1]


def test_a_number_stored_twice_is_a_fault():
    numbers = ProducerNumbers()
    numbers.take(1, "p", 1)
    numbers.take(2, "p", 1)

    assert [fault.seq for fault in numbers.faults] == [2]


def test_numbers_a_later_event_says_were_never_confirmed_are_no_gap_whether_they_arrive_or_not():
    """A broker gone mid-publish: event 3 may or may not have reached it; the producer's event 4 says so, and 5 came after."""
    numbers = ProducerNumbers()
    numbers.take(1, "p", 1)
    numbers.take(2, "p", 2)
    numbers.take(3, "p", 4, unconfirmed=[3])
    numbers.take(4, "p", 5)
    numbers.take(5, "p", 3)  # it did arrive, late: stored once, no repeat

    assert numbers.gaps() == [] and numbers.faults == []


def test_a_missing_number_no_event_says_was_unconfirmed_is_still_a_gap():
    numbers = ProducerNumbers()
    for seq, (number, unconfirmed) in enumerate([(1, []), (3, []), (5, [4])], start=1):
        numbers.take(seq, "p", number, unconfirmed)

    assert ["event 2 is missing" in gap.what for gap in numbers.gaps()] == [True]


def test_producers_are_numbered_apart():
    numbers = ProducerNumbers()
    for seq, (producer, number) in enumerate([("a", 1), ("b", 1), ("a", 2), ("b", 2)], start=1):
        numbers.take(seq, producer, number)

    assert numbers.gaps() == [] and numbers.faults == []


def test_an_intact_store_with_its_checkpoint_verifies():
    rows = stored([an_event(n) for n in range(1, 6)])
    key = signing_key(new_key())
    signed = [Checkpoint(1, **sign(key, 5, rows[4].hash, "2026-11-25T10:00:00+00:00"))]

    verdict = verify(rows, head_of(rows), signed, [key.public_key()])

    assert verdict.intact and verdict.checkpoints == 1


def test_checked_with_another_keys_public_key_the_first_checkpoint_is_named_with_both_keys():
    rows = stored([an_event(n) for n in range(1, 6)])
    key, other = signing_key(new_key()), signing_key(new_key()).public_key()
    signed = [Checkpoint(7, **sign(key, 2, rows[1].hash, "2026-11-25T10:00:00+00:00")),
              Checkpoint(8, **sign(key, 5, rows[4].hash, "2026-11-25T11:00:00+00:00"))]

    verdict = verify(rows, head_of(rows), signed, [other])

    assert verdict.first_bad_seq == 2 and verdict.signatures_checked and verdict.key_ids == [key_id(other)]
    assert verdict.faults[0].what == (f"checkpoint 7 at sequence 2 is not signed by the checkpoint key {key_id(other)} "
                                      f"(it names key {key_id(key.public_key())})")


def test_a_checkpoint_whose_hash_is_not_the_stored_events_names_its_sequence():
    rows = stored([an_event(n) for n in range(1, 6)])
    key = signing_key(new_key())
    signed = [Checkpoint(1, **sign(key, 3, "f" * 64, "2026-11-25T10:00:00+00:00"))]

    assert verify(rows, head_of(rows), signed, [key.public_key()]).first_bad_seq == 3


def test_checkpoints_signed_before_and_after_a_change_of_key_verify_with_both_public_keys():
    rows = stored([an_event(n) for n in range(1, 6)])
    old, new = signing_key(new_key()), signing_key(new_key())
    signed = [Checkpoint(1, **sign(old, 2, rows[1].hash, "2026-11-25T10:00:00+00:00")),
              Checkpoint(2, **sign(new, 5, rows[4].hash, "2026-11-25T11:00:00+00:00"))]

    verdict = verify(rows, head_of(rows), signed, [old.public_key(), new.public_key()])

    assert verdict.intact and verdict.key_ids == [key_id(old.public_key()), key_id(new.public_key())]


def test_a_checkpoint_whose_key_is_none_of_those_given_is_named_with_every_key_tried():
    rows = stored([an_event(n) for n in range(1, 6)])
    key, others = signing_key(new_key()), [signing_key(new_key()).public_key() for _ in range(2)]
    signed = [Checkpoint(7, **sign(key, 2, rows[1].hash, "2026-11-25T10:00:00+00:00"))]

    verdict = verify(rows, head_of(rows), signed, others)

    tried = ", ".join(key_id(other) for other in others)
    assert verdict.faults[0].what == (f"checkpoint 7 at sequence 2 is not signed by any of the checkpoint keys {tried} "
                                      f"(it names key {key_id(key.public_key())})")


def test_a_forged_signature_under_a_given_keys_id_fails_naming_that_key_alone():
    rows = stored([an_event(n) for n in range(1, 4)])
    key, other = signing_key(new_key()), signing_key(new_key())
    forged = {**sign(other, 3, rows[2].hash, "2026-11-25T10:00:00+00:00"), "key_id": key_id(key.public_key())}

    verdict = verify(rows, head_of(rows), [Checkpoint(1, **forged)], [other.public_key(), key.public_key()])

    assert verdict.faults[0].what == (f"checkpoint 1 at sequence 3 is not signed by the checkpoint key {key_id(key.public_key())} "
                                      f"(it names key {key_id(key.public_key())})")


def test_a_public_key_given_twice_is_one_key():
    rows = stored([an_event(n) for n in range(1, 4)])
    key = signing_key(new_key())

    assert verify(rows, head_of(rows), [], [key.public_key(), key.public_key()]).key_ids == [key_id(key.public_key())]


def test_without_the_key_checkpoints_are_still_held_against_the_chain_but_not_their_signatures():
    rows = stored([an_event(n) for n in range(1, 4)])
    signed = [Checkpoint(1, 3, rows[2].hash, "t", "k", "not-a-signature")]

    verdict = verify(rows, head_of(rows), signed, [])

    assert verdict.intact and not verdict.signatures_checked


def test_a_stored_column_that_differs_from_its_event_is_a_fault_there():
    rows = stored([an_event(n) for n in range(1, 4)])
    rows[1] = StoredEvent(2, rows[1].event, rows[1].prev_hash, rows[1].hash, {**rows[1].columns, "la_code": "E09000001"})

    verdict = verify(rows, head_of(rows))

    assert verdict.first_bad_seq == 2 and "la_code" in verdict.faults[0].what


def test_a_head_beyond_the_last_event_names_the_first_missing_sequence():
    rows = stored([an_event(n) for n in range(1, 4)])

    assert verify(rows[:2], head_of(rows)).first_bad_seq == 3
