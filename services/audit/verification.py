"""Checking the whole audit store: the chain link by link, the columns beside each event, each
producer's numbering, the chain head, and the signed checkpoints.

A verifier walks the stored rows in sequence order and records every fault with the sequence
number where it shows; the first of them is where someone changed, removed or reordered
something. Only the first break of the chain itself is reported: every link after it is
broken too, and says nothing new. A producer's missing event shows at the first event it
stored after the gap; a checkpoint past the end of the store shows just after that end.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.audit import chain, checkpoints
from services.audit.checkpoints import Checkpoint


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event: dict
    prev_hash: str
    hash: str
    columns: dict  # the stored columns that chain.indexed_as_stored derives from the event


@dataclass(frozen=True)
class Fault:
    seq: int
    what: str


@dataclass
class Verdict:
    events: int = 0
    checkpoints: int = 0
    key_ids: list[str] = field(default_factory=list)  # of the public keys the checkpoints' signatures were checked with
    faults: list[Fault] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.faults

    @property
    def signatures_checked(self) -> bool:
        return bool(self.key_ids)

    @property
    def first_bad_seq(self) -> int | None:
        return min((fault.seq for fault in self.faults), default=None)

    def as_dict(self) -> dict:
        ordered = sorted(self.faults, key=lambda fault: fault.seq)
        return {
            "intact": self.intact, "events": self.events, "first_bad_seq": self.first_bad_seq,
            "checkpoints": self.checkpoints, "signatures_checked": self.signatures_checked, "key_ids": self.key_ids,
            "faults": [{"seq": fault.seq, "what": fault.what} for fault in ordered],
        }


class ProducerNumbers:
    """Each producer numbers its events from 1; events may be stored a little out of their order,
    so numbers that arrive early wait in ``_ahead`` until the ones before them come."""

    def __init__(self):
        self._next: dict[str, int] = {}
        self._ahead: dict[str, dict[int, int]] = {}
        self._declared: dict[str, set[int]] = {}  # numbers accounted for by a later event that said they were never confirmed
        self.faults: list[Fault] = []

    def take(self, seq: int, producer: str | None, number: int | None, unconfirmed: Iterable[int] = ()) -> None:
        """``unconfirmed``: earlier numbers the producer says the broker never confirmed; stored or not, they are no gap."""
        if producer is None or number is None:
            return  # an event from before producers numbered theirs
        declared = self._declared.setdefault(producer, set())
        if number in declared:
            declared.discard(number)  # it did arrive, after an event that could not vouch for it
        else:
            self._account(seq, producer, number)
        for never_confirmed in unconfirmed:
            if never_confirmed >= self._next.get(producer, 1) and never_confirmed not in self._ahead[producer]:
                self._account(seq, producer, never_confirmed)
                declared.add(never_confirmed)

    def _account(self, seq: int, producer: str, number: int) -> None:
        expected = self._next.get(producer, 1)
        ahead = self._ahead.setdefault(producer, {})
        if number < expected or number in ahead:
            self.faults.append(Fault(seq, f"sequence {seq} repeats {producer}'s event {number}"))
        elif number > expected:
            ahead[number] = seq
        else:
            expected += 1
            while ahead.pop(expected, None) is not None:
                expected += 1
            self._next[producer] = expected

    def gaps(self) -> list[Fault]:
        found = []
        for producer, ahead in self._ahead.items():
            if ahead:
                missing, resumed = self._next.get(producer, 1), min(ahead)
                numbers = str(missing) if resumed == missing + 1 else f"{missing} to {resumed - 1}"
                found.append(Fault(min(ahead.values()), f"{producer}'s event {numbers} is missing from the store"))
        return found


class ChainWalk:
    """Follows the stored rows one by one; ``faults`` holds what it found."""

    def __init__(self, checkpoint_seqs: set[int] = frozenset()):
        self.expected_seq = 1
        self.prev_hash = chain.GENESIS
        self.broken = False
        self.faults: list[Fault] = []
        self.numbers = ProducerNumbers()
        self._checkpoint_seqs = checkpoint_seqs
        self.hashes_at: dict[int, str] = {}

    def take(self, row: StoredEvent) -> None:
        self._check_columns(row)
        if not self.broken:
            self._check_link(row)
        self.numbers.take(row.seq, row.event.get("producer"), row.event.get("producer_seq"), row.event.get("unconfirmed", ()))
        if row.seq in self._checkpoint_seqs:
            self.hashes_at[row.seq] = row.hash
        self.expected_seq = row.seq + 1
        self.prev_hash = row.hash

    def _check_link(self, row: StoredEvent) -> None:
        expected = self.expected_seq
        if row.seq != expected:
            self._break(expected, f"sequence {expected} is missing (the next stored is {row.seq})")
        elif row.prev_hash != self.prev_hash:
            self._break(expected, f"sequence {expected} does not follow from the event before it")
        elif chain.link(self.prev_hash, row.seq, row.event) != row.hash:
            self._break(expected, f"sequence {expected} was changed after it was stored")

    def _break(self, seq: int, what: str) -> None:
        self.broken = True
        self.faults.append(Fault(seq, what))

    def _check_columns(self, row: StoredEvent) -> None:
        try:
            derived = chain.indexed_as_stored(row.event)
        except (KeyError, TypeError, ValueError):
            self.faults.append(Fault(row.seq, f"sequence {row.seq} no longer holds a readable event"))
            return
        changed = sorted(name for name, value in derived.items() if _normal(row.columns.get(name)) != _normal(value))
        if changed:
            self.faults.append(Fault(row.seq, f"sequence {row.seq}: stored {', '.join(changed)} differ from the event"))


def _normal(value):
    return chain.as_utc(value) if hasattr(value, "tzinfo") else value


def verify(
    rows: Iterable[StoredEvent],
    head: tuple[int, str] | None,
    signed: list[Checkpoint] = (),
    public_keys: Iterable[Ed25519PublicKey] = (),
) -> Verdict:
    """Walks ``rows`` (in sequence order) and checks they end where the chain head says, and hold every checkpoint.

    Each checkpoint's signature is checked with the one of ``public_keys`` whose id it names, so that checkpoints signed
    before and after a change of key verify together; with no public key, signatures go unchecked.
    """
    keys = {checkpoints.key_id(key): key for key in public_keys}
    walk = ChainWalk({checkpoint.seq for checkpoint in signed})
    verdict = Verdict(checkpoints=len(signed), key_ids=list(keys))
    last: StoredEvent | None = None
    for row in rows:
        walk.take(row)
        verdict.events += 1
        last = row
    verdict.faults.extend(walk.faults)
    verdict.faults.extend(walk.numbers.faults)
    verdict.faults.extend(walk.numbers.gaps())
    last_seq, last_hash = (last.seq, last.hash) if last else (0, chain.GENESIS)
    head_seq, head_hash = head or (0, chain.GENESIS)
    if head_seq != last_seq:
        seq = min(head_seq, last_seq) + 1
        verdict.faults.append(Fault(seq, f"the chain head is at {head_seq} but the store ends at {last_seq}"))
    elif head_hash != last_hash:
        verdict.faults.append(Fault(last_seq, f"the chain head's hash differs from sequence {last_seq}'s"))
    verdict.faults.extend(_checkpoint_faults(signed, walk.hashes_at, last_seq, keys))
    return verdict


def _checkpoint_faults(signed: list[Checkpoint], hashes_at: dict[int, str], last_seq: int,
                       keys: dict[str, Ed25519PublicKey]) -> list[Fault]:
    faults = []
    for checkpoint in signed:
        if keys and not _signed_with_the_key_it_names(checkpoint, keys):
            faults.append(Fault(checkpoint.seq, _not_signed(checkpoint, keys)))
        elif checkpoint.seq > last_seq:
            faults.append(Fault(last_seq + 1, f"checkpoint {checkpoint.id} vouches for {checkpoint.seq} events; the store ends at {last_seq}"))
        elif hashes_at.get(checkpoint.seq) != checkpoint.hash:
            faults.append(Fault(checkpoint.seq, f"sequence {checkpoint.seq} is not the event checkpoint {checkpoint.id} signed"))
    return faults


def _signed_with_the_key_it_names(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> bool:
    named = keys.get(checkpoint.key_id)
    return named is not None and checkpoints.signature_holds(named, checkpoint)


def _not_signed(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> str:
    """The fault of a checkpoint that no key vouches for, naming the keys its signature was checked against."""
    tried = [checkpoint.key_id] if checkpoint.key_id in keys else list(keys)
    by = f"the checkpoint key {tried[0]}" if len(tried) == 1 else f"any of the checkpoint keys {', '.join(tried)}"
    return f"checkpoint {checkpoint.id} at sequence {checkpoint.seq} is not signed by {by} (it names key {checkpoint.key_id})"
