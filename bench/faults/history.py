"""What a fault scenario did and what the system then held: recorded while it runs, checked after it recovers.

The history is what a client can know for certain: every feed message the broker confirmed, every
feedback message the source was sent, every search and read the portal answered. The check holds
it against the stores: every confirmed message accepted or rejected exactly once, every accepted
child held once in the directory and in disclosure, every answered search and read with exactly
one stored audit event, and the audit store intact.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import sqlalchemy as sa
from kombu import Queue

from contactpoint import partner, synthetic
from shared.errors import Unavailable
from shared.messaging.publisher import Publisher
from shared.messaging.topology import feedback_queue

CHUNK = 100  # feed messages confirmed together
REJECTED_EVERY = 40  # one message in this many is one feeds must refuse (a digit in a name)
PURPOSE = "safeguarding"


@dataclass
class History:
    source_id: str
    actor: str
    confirmed: dict[str, str] = field(default_factory=dict)  # message_id -> source_record_id
    meant_to_be_rejected: set[str] = field(default_factory=set)
    searches: list[tuple[str, str]] = field(default_factory=list)  # (family name, date of birth) of each answered search
    reads: list[str] = field(default_factory=list)  # contactpoint_id of each answered read
    refused: Counter = field(default_factory=Counter)  # what the portal answered instead, by status
    refusal_seconds: list[float] = field(default_factory=list)  # how long the portal took to refuse, each time
    published: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FeedLoad(threading.Thread):
    """A partner publishing ``count`` children, chunk by chunk; a chunk the broker did not confirm is sent again, same ids."""

    def __init__(self, history: History, amqp_url: str, password: str, count: int, seed: int = 7, first: int = 0):
        super().__init__(name="feed-load", daemon=True)
        self.history = history
        self._connect = lambda: partner.source_connection(amqp_url, history.source_id, password)
        self._count, self._seed, self._first = count, seed, first
        self.children: list[synthetic.Child] = []
        self.failure: BaseException | None = None

    @property
    def to_take(self) -> int:
        """How many of its messages feeds is to take: it refuses the others, which leaves no mark in what it processed."""
        return self._count - self._count // REJECTED_EVERY

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # the scenario reports it; a thread's own traceback would be lost
            self.failure = exc

    def _run(self) -> None:
        rng = random.Random(self._seed)
        self.children = list(synthetic.population(self._first + self._count, seed=self._seed))[self._first:]
        publisher = Publisher(self._connect)
        try:
            for start in range(0, len(self.children), CHUNK):
                envelopes = [self._envelope(n, child, rng) for n, child in enumerate(self.children[start:start + CHUNK], start)]
                self._publish_until_confirmed(publisher, envelopes)
        finally:
            publisher.close()

    def _envelope(self, n: int, child, rng):
        message = synthetic.feed_message(child, source_record_id=f"F-{self._first + n}", sequence=1, service="school", rng=rng)
        envelope = partner.feed_envelope(self.history.source_id, message)
        if n % REJECTED_EVERY == REJECTED_EVERY - 1:
            message["child"]["family_name"] += "9"
            self.history.meant_to_be_rejected.add(envelope.message_id)
        return envelope

    def _publish_until_confirmed(self, publisher: Publisher, envelopes, give_up_after: float = 300) -> None:
        deadline = time.monotonic() + give_up_after
        while True:
            with self.history.lock:
                self.history.published += len(envelopes)
            try:
                publisher.publish(*envelopes)
                break
            except Unavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        with self.history.lock:
            self.history.confirmed.update((e.message_id, e.body["source_record_id"]) for e in envelopes)


class SearchLoad(threading.Thread):
    """A practitioner searching for the fed children, each search unlike any other, and reading each child found once, until stopped."""

    def __init__(self, history: History, base_url: str, token: str, feed: FeedLoad, pause: float = 0.05):
        super().__init__(name="search-load", daemon=True)
        self.history = history
        self._client = httpx.Client(base_url=base_url, timeout=15, headers={"Authorization": f"Bearer {token}"})
        self._feed = feed
        self._pause = pause
        self.stop = threading.Event()
        self._asked: set[tuple[str, str]] = set()
        self._read: set[str] = set()

    def run(self) -> None:
        n = 0
        while not self.stop.wait(self._pause):
            children = self._feed.children
            if not children:
                continue
            # Each fed child first; then their names with other dates of birth, mostly found by no one but answered
            # and audited all the same: every search differs from every other, so each has its own audit event to find.
            child, another_day = children[n % len(children)], timedelta(days=n // len(children))
            n += 1
            key = (child.family_name, (child.date_of_birth + another_day).isoformat())
            if key in self._asked:
                continue
            self._asked.add(key)
            found = self._ask("/api/v1/children/search", {"family_name": key[0], "date_of_birth": key[1], "purpose": PURPOSE})
            if found is None:
                continue
            with self.history.lock:
                self.history.searches.append(key)
            for result in found["results"][:1]:
                contactpoint_id = result["contactpoint_id"]
                if contactpoint_id in self._read:
                    continue
                self._read.add(contactpoint_id)
                if self._ask(f"/api/v1/children/{contactpoint_id}", {"purpose": PURPOSE}) is not None:
                    with self.history.lock:
                        self.history.reads.append(contactpoint_id)
        self._client.close()

    def _ask(self, path: str, params: dict) -> dict | None:
        asked = time.monotonic()
        try:
            answer = self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            self._refused(exc.__class__.__name__, asked)
            return None
        if answer.status_code != 200:
            self._refused(str(answer.status_code), asked)
            return None
        return answer.json()

    def _refused(self, why: str, asked: float) -> None:
        with self.history.lock:
            self.history.refused[why] += 1
            self.history.refusal_seconds.append(time.monotonic() - asked)


@dataclass
class Tally:
    """One scenario's line of the table."""

    published: int = 0
    confirmed: int = 0
    accepted: int = 0
    rejected: int = 0
    held: int = 0  # accepted children the directory holds
    lost: int = 0
    duplicated: int = 0
    searches_answered: int = 0
    searches_refused: int = 0
    refusals: dict[str, int] = field(default_factory=dict)  # by what the portal answered (a status) or how the request failed
    refusal_seconds: list[float] = field(default_factory=list)
    audit_expected: int = 0
    audit_stored: int = 0
    audit_missing: int = 0
    audit_extra: int = 0  # answered looks with more than one stored event
    not_in_directory: int = 0  # accepted children the directory does not hold
    in_directory: int = 0  # children held, all sources together
    in_disclosure: int = 0
    audit_verified: bool = False
    recover_seconds: float = 0.0
    faults: list[str] = field(default_factory=list)  # what is wrong, in words

    @property
    def slowest_refusal(self) -> float:
        return max(self.refusal_seconds, default=0.0)

    @property
    def clean(self) -> bool:
        return not self.faults

    @property
    def still_arriving(self) -> bool:
        """What the directory, disclosure and the audit service take from their queues at their own pace is not all stored yet."""
        return bool(self.audit_missing or self.not_in_directory or self.in_disclosure != self.in_directory)


def feedback_of(amqp_url: str, source_id: str, password: str) -> list[dict]:
    """Every feedback message waiting for the source, taken off its queue (feedback is sent at least once: repeats may come)."""
    told = []
    with partner.source_connection(amqp_url, source_id, password) as connection:
        queue = Queue(feedback_queue(source_id).name)(connection.default_channel)
        while (message := queue.get(no_ack=True, accept=["json"])) is not None:
            told.append(message.payload)
    return told


def unsettled(database_url: str, history: History) -> str:
    """What is still to do: confirmed messages feeds has not handled, messages waiting in an outbox; '' when only delivery is left."""
    with history.lock:  # a refused message leaves no mark in feeds: its feedback says it was refused
        ids = [m for m in history.confirmed if m not in history.meant_to_be_rejected]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            handled = connection.scalar(sa.text("SELECT count(*) FROM feeds.processed_messages WHERE consumer = 'feeds' "
                                                "AND message_id = ANY(:ids)"), {"ids": ids})
            waiting = {schema: connection.scalar(sa.text(f"SELECT count(*) FROM {schema}.outbox"))
                       for schema in ("feeds", "directory", "identity", "disclosure", "audit")}
    finally:
        engine.dispose()
    left = [f"{len(ids) - handled} messages not handled"] if handled < len(ids) else []
    left += [f"{n} waiting in {schema}'s outbox" for schema, n in waiting.items() if n]
    return ", ".join(left)


def check(database_url: str, history: History, feedback: list[dict], audit_intact: bool) -> Tally:
    """Holds the history against the stores (read as the administrator) and says what was lost or duplicated."""
    tally = Tally(published=history.published, confirmed=len(history.confirmed), audit_verified=audit_intact,
                  searches_answered=len(history.searches), searches_refused=sum(history.refused.values()),
                  refusals=dict(history.refused), refusal_seconds=list(history.refusal_seconds))
    outcomes: dict[str, set[tuple[str, str | None]]] = {}
    for told in feedback:
        outcomes.setdefault(told["message_id"], set()).add((told["outcome"], told.get("contactpoint_id")))
    unknown = set(outcomes) - set(history.confirmed)
    if unknown:
        tally.faults.append(f"{len(unknown)} feedback messages name no confirmed message")
    unanswered = [m for m in history.confirmed if m not in outcomes]
    twice = [m for m, said in outcomes.items() if len(said) > 1]
    tally.accepted = sum(1 for m in history.confirmed if outcomes.get(m) and next(iter(outcomes[m]))[0] == "accepted")
    tally.rejected = sum(1 for m in history.confirmed if outcomes.get(m) and next(iter(outcomes[m]))[0] == "rejected")
    wrongly = [m for m in history.confirmed if m in outcomes and len(outcomes[m]) == 1
               and (next(iter(outcomes[m]))[0] == "rejected") != (m in history.meant_to_be_rejected)]
    accepted_children = {child for m in history.confirmed for outcome, child in outcomes.get(m, ()) if outcome == "accepted" and child}
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            records = connection.execute(sa.text("SELECT source_record_id, contactpoint_id FROM feeds.source_records "
                                                 "WHERE source_id = :source"), {"source": history.source_id}).all()
            held = set(connection.scalars(sa.text("SELECT contactpoint_id FROM directory.children WHERE contactpoint_id = ANY(:ids)"),
                                          {"ids": list(accepted_children)}))
            in_directory = connection.scalar(sa.text("SELECT count(*) FROM directory.children WHERE active"))
            in_disclosure = connection.scalar(sa.text("SELECT count(*) FROM disclosure.de_identified_children WHERE active"))
            searches = Counter((e["criteria"].get("family_name"), e["criteria"].get("date_of_birth")) for e in _events(
                connection, history.actor, "search"))
            reads = Counter(e["subject"] for e in _events(connection, history.actor, "read"))
    finally:
        engine.dispose()
    tally.held = len(held)
    tally.not_in_directory = len(accepted_children - held)
    made_twice = len(records) - len({r.source_record_id for r in records})
    tally.lost = len(unanswered) + tally.not_in_directory
    tally.duplicated = len(twice) + made_twice + max(0, len({r.contactpoint_id for r in records}) - len(accepted_children))
    expected = Counter(history.searches), Counter(history.reads)
    tally.audit_expected = len(history.searches) + len(history.reads)
    tally.audit_stored = sum(min(searches[k], n) for k, n in expected[0].items()) + sum(min(reads[k], n) for k, n in expected[1].items())
    tally.audit_missing = tally.audit_expected - tally.audit_stored
    # More than one event for one answered look: a request delivered again (its ack lost with the broker, or its consumer
    # killed) is handled again, and must make the same event, which the store keeps once.
    tally.audit_extra = sum(1 for k in expected[0] if searches[k] > expected[0][k]) + sum(1 for k in expected[1] if reads[k] > expected[1][k])
    for count, what in ((len(unanswered), "confirmed messages never answered"), (len(twice), "messages answered two ways"),
                        (len(wrongly), "messages accepted that should be refused, or refused that should be accepted"),
                        (made_twice, "source records held twice"), (tally.not_in_directory, "accepted children not in the directory"),
                        (tally.audit_missing, "answered searches or reads with no audit event"),
                        (tally.audit_extra, "answered searches or reads with more than one audit event")):
        if count:
            tally.faults.append(f"{count} {what}")
    tally.in_directory, tally.in_disclosure = in_directory, in_disclosure
    if in_directory != in_disclosure:
        tally.faults.append(f"the directory holds {in_directory} children and disclosure {in_disclosure}")
    if not audit_intact:
        tally.faults.append("audit verify failed")
    return tally


def _events(connection, actor: str, action: str) -> list[dict]:
    return list(connection.scalars(sa.text("SELECT event FROM audit.events WHERE actor_username = :actor AND action = :action "
                                           "AND event->>'outcome' = 'success'"), {"actor": actor, "action": action}))


