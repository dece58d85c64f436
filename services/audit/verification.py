"""Checking the whole audit store: the chain link by link, the columns beside each event, and the chain head.

A verifier walks the stored rows in sequence order and records every fault with the sequence
number where it shows; the first of them is where someone changed, removed or reordered
something. Only the first break of the chain itself is reported: every link after it is
broken too, and says nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.audit import chain


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event: dict
    prev_hash: str
    hash: str
    columns: dict  # the stored columns that chain.indexed derives from the event


@dataclass(frozen=True)
class Fault:
    seq: int
    what: str


@dataclass
class Verdict:
    events: int = 0
    faults: list[Fault] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.faults

    @property
    def first_bad_seq(self) -> int | None:
        return min((fault.seq for fault in self.faults), default=None)

    def as_dict(self) -> dict:
        ordered = sorted(self.faults, key=lambda fault: fault.seq)
        return {
            "intact": self.intact, "events": self.events, "first_bad_seq": self.first_bad_seq,
            "faults": [{"seq": fault.seq, "what": fault.what} for fault in ordered],
        }


class ChainWalk:
    """Follows the stored rows one by one; ``faults`` holds what it found."""

    def __init__(self):
        self.expected_seq = 1
        self.prev_hash = chain.GENESIS
        self.broken = False
        self.faults: list[Fault] = []
        self.hashes_at: dict[int, str] = {}

    def take(self, row: StoredEvent) -> None:
        self._check_columns(row)
        if not self.broken:
            self._check_link(row)
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
            derived = chain.indexed(row.event)
        except (KeyError, TypeError, ValueError):
            self.faults.append(Fault(row.seq, f"sequence {row.seq} no longer holds a readable event"))
            return
        changed = sorted(name for name, value in derived.items() if _normal(row.columns.get(name)) != _normal(value))
        if changed:
            self.faults.append(Fault(row.seq, f"sequence {row.seq}: stored {', '.join(changed)} differ from the event"))


def _normal(value):
    return chain.as_utc(value) if hasattr(value, "tzinfo") else value


def verify(rows: Iterable[StoredEvent], head: tuple[int, str] | None) -> Verdict:
    """Walks ``rows`` (in sequence order) and checks they end where the chain head says."""
    walk = ChainWalk()
    verdict = Verdict()
    last: StoredEvent | None = None
    for row in rows:
        walk.take(row)
        verdict.events += 1
        last = row
    verdict.faults.extend(walk.faults)
    last_seq, last_hash = (last.seq, last.hash) if last else (0, chain.GENESIS)
    head_seq, head_hash = head or (0, chain.GENESIS)
    if head_seq != last_seq:
        seq = min(head_seq, last_seq) + 1
        verdict.faults.append(Fault(seq, f"the chain head is at {head_seq} but the store ends at {last_seq}"))
    elif head_hash != last_hash:
        verdict.faults.append(Fault(last_seq, f"the chain head's hash differs from sequence {last_seq}'s"))
    return verdict
