"""Ingestion: feed messages published by a source until the directory holds every child.

Base: the same messages published as a source publishes them (in chunks, each confirmed as a
whole) to a plain quorum queue on the same broker and consumed with acks, the least any
ingestion through that broker could cost.
Size with CP_BENCH_FEED_MESSAGES (default 5,000).

With CP_BENCH_HELD children already held (up to 11,000,000, as far as the disk allows; COPYed
straight into the feeds and directory tables, indexes built after), as many messages again of
other children are ingested after the first, on an empty service: the cost per message beside
the empty one's, and how long an initial national load of 11 million records would take at
the rate measured.
"""
from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import replace

import psycopg
from kombu import Consumer, Queue
from sqlalchemy import func, select

from bench.directory import DISK_RESERVE, Population
from bench.processes import Running, services
from bench.report import Report, cpu_seconds, stopwatch
from contactpoint import partner, synthetic
from services.directory.bootstrap import bootstrap as directory_service
from services.directory.models import Child
from services.feeds.bootstrap import bootstrap as feeds_service
from services.feeds.matching import Described, blocking_keys
from services.feeds.models import LinkedChild, SourceRecord
from shared.contracts.requests import ADD_SOURCE
from shared.messaging.connection import connect
from shared.messaging.envelope import utcnow
from shared.messaging.publisher import Publisher
from shared.messaging.topology import DIRECTORY_CHILD_UPDATES, FEEDS_PARTNER_MESSAGES, rpc_queue
from shared.settings import Settings

SOURCE = "bench-schools"
HELD_SOURCE = "bench-held"
NATIONAL = 11_000_000


def run(settings: Settings, report: Report) -> None:
    count = int(os.environ.get("CP_BENCH_FEED_MESSAGES", 5000))
    held = int(os.environ.get("CP_BENCH_HELD", 0))
    messages = _messages(count, seed=2007)
    report.note(f"{count:,} feed messages of distinct children, one source, feeds and directory as their own processes")
    base = report.rate("raw publish (confirmed by chunk) + consume", count, raw_publish_and_consume(settings, messages))
    matched, held_in_directory, empty_cost = ingest(settings, messages, report)
    report.rate("matched: published -> committed by feeds", count, matched, base=("raw", base))
    empty_rate = report.rate("ingested: published -> held in the directory", count, held_in_directory, base=("raw", base))
    if not held:
        report.note(f"an initial national load of {NATIONAL:,} records at this rate: {NATIONAL / empty_rate / 3600:.1f} hours")
        return
    population = HeldPopulation(settings, held)
    if (room := population.room_for()) < held:
        report.note(f"holding {room:,} children, not {held:,}: the disk holds no more (keeping {DISK_RESERVE / 2**30:.0f} GB free)")
        held = room
    with stopwatch() as loading:
        population.grow_to(held)
    report.note(f"{held:,} children held with COPY in feeds and the directory in {loading():.0f} s "
                f"({population.bytes_per_child():,.0f} bytes a child); as many messages again, of other children")
    others = _messages(count, seed=2031, source_record_ids=f"T-{held}-")
    base = report.rate("raw publish (confirmed by chunk) + consume", count, raw_publish_and_consume(settings, others))
    matched, held_in_directory, held_cost = ingest(settings, others, report, already=count)
    report.rate(f"matched, {held:,} held", count, matched, base=("raw", base))
    held_rate = report.rate(f"ingested, {held:,} held", count, held_in_directory, base=("raw", base))
    report.note(f"CPU per message with {held:,} held = {held_cost / empty_cost:.2f} x empty; rate = {held_rate / empty_rate:.2f} x empty")
    report.note(f"an initial national load of {NATIONAL:,} records at the rate with {held:,} held: {NATIONAL / held_rate / 3600:.1f} hours")


def _messages(count: int, seed: int, source_record_ids: str = "S-") -> list[dict]:
    rng = random.Random(7)
    return [synthetic.feed_message(child, source_record_id=f"{source_record_ids}{child.person_id}", sequence=1, service="school", rng=rng)
            for child in synthetic.population(count, seed=seed)]


class HeldPopulation(Population):
    """Children held already: each a feeds source record and linked child, and the directory's row and keys."""

    tables = (*Population.tables, "feeds.children", "feeds.source_records")
    # The feeds' records refer to their children and sources by foreign key: their primary keys stay.
    without_primary_keys = False

    def __init__(self, settings: Settings, largest: int):
        super().__init__(settings, largest, seed=1999)
        with psycopg.connect(self.libpq) as connection:
            connection.execute("INSERT INTO feeds.sources (source_id, name, kinds, enabled) VALUES (%s, 'Bench held', '[\"school\"]', true)",
                               [HELD_SOURCE])

    def _copy(self, cursor, batch) -> list[dict]:
        snapshots = super()._copy(cursor, batch)
        with cursor.copy("COPY feeds.children (contactpoint_id, version, shielded) FROM STDIN") as children:
            for snapshot in snapshots:
                children.write_row((snapshot["contactpoint_id"], 1, False))
        keyed = [(snapshot, blocking_keys(Described.of(snapshot["demographics"]))) for snapshot in snapshots]
        columns = ("source_id", "source_record_id", "contactpoint_id", "sequence", "held", *keyed[0][1], "message", "received_at")
        with cursor.copy(f"COPY feeds.source_records ({', '.join(columns)}) FROM STDIN") as records:
            for snapshot, keys in keyed:
                message = {"source_record_id": snapshot["source_records"][0][1], "sequence": 1, "child": snapshot["demographics"],
                           "carers": snapshot["carers"], "involvement": snapshot["involvements"][0]}
                records.write_row((HELD_SOURCE, message["source_record_id"], snapshot["contactpoint_id"], 1, True, *keys.values(),
                                   json.dumps(message, default=str), utcnow()))
        return snapshots


def raw_publish_and_consume(settings: Settings, messages: list[dict]) -> float:
    """Published as a source publishes (in chunks, each confirmed as a whole) to one quorum queue, and consumed."""
    queue = Queue("bench.raw", durable=True, queue_arguments={"x-queue-type": "quorum"})
    with connect(settings) as connection:
        queue(connection.default_channel).declare()
        publisher = Publisher(lambda: connection)
        received = 0

        def take(body, message):
            nonlocal received
            received += 1
            message.ack()

        with stopwatch() as elapsed:
            for start in range(0, len(messages), partner.CONFIRMED_CHUNK):
                publisher.publish(*(replace(partner.feed_envelope(SOURCE, message), exchange="", routing_key=queue.name, user_id=None)
                                    for message in messages[start:start + partner.CONFIRMED_CHUNK]))
            with Consumer(connection, [queue], callbacks=[take], prefetch_count=200):
                while received < len(messages):
                    connection.drain_events(timeout=10)
        seconds = elapsed()
        queue(connection.default_channel).delete()
    return seconds


def ingest(settings: Settings, messages: list[dict], report: Report, already: int = 0) -> tuple[float, float, float]:
    """Seconds until the feeds service has matched and committed every message, and until the directory holds every child
    (beyond the ``already`` it held from this source), and the CPU milliseconds per message of every process; reports each's."""
    feeds = feeds_service(settings)
    if not already:
        with services(settings, "provisioner") as provisioner:  # makes the source's broker user
            _wait_until_consuming(settings, provisioner, [rpc_queue("provisioner")])
            _passwords[settings.name_prefix] = feeds.perform(ADD_SOURCE, {
                "source_id": SOURCE, "name": "Bench schools", "la_code": None, "kinds": ["school"],
            })["amqp_password"]
    password = _passwords[settings.name_prefix]
    directory = directory_service(settings)
    try:
        with services(settings, "feeds", "directory") as running:
            _wait_until_consuming(settings, running, [FEEDS_PARTNER_MESSAGES, DIRECTORY_CHILD_UPDATES])
            cpu_before = cpu_seconds(running.pids, settings)
            with partner.source_connection(settings.amqp_url, SOURCE, password) as connection, stopwatch() as elapsed:
                for _ in partner.publish(connection, ((SOURCE, message) for message in messages)):
                    pass
                _wait(running, lambda: committed(feeds) >= already + len(messages))
                matched = elapsed()
                made = versions_made(feeds)
                _wait(running, lambda: holds(directory, made))
            cost = report.cpu_per_item("CPU per message, by process", len(messages), cpu_before, cpu_seconds(running.pids, settings))
            return matched, elapsed(), cost
    finally:
        directory.close()
        feeds.close()


_passwords: dict[str, str] = {}


def _wait_until_consuming(settings: Settings, running: Running, queues: list[Queue]) -> None:
    """Returns once every queue has a consumer, so that the services' start-up is not counted as ingestion."""
    deadline = time.monotonic() + 60
    with connect(settings) as connection:
        while not all(queue(connection.default_channel).queue_declare(passive=True).consumer_count for queue in queues):
            if running.any_stopped() or time.monotonic() > deadline:
                raise RuntimeError("the services did not start consuming within 60 s")
            time.sleep(0.2)


def _wait(running: Running, done: Callable[[], bool]) -> None:
    while not done():
        if running.any_stopped():
            raise RuntimeError("a service stopped during the benchmark")
        time.sleep(0.05)


# Each poll reads only the bench source's records and their children, by index: with millions held, a count over the
# directory's children cost PostgreSQL more CPU than the ingestion it was waiting for.
def committed(feeds) -> int:
    with feeds.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(SourceRecord).where(SourceRecord.source_id == SOURCE))


def versions_made(feeds) -> dict[str, int]:
    """The version the feeds service made of each child the bench's source sent: the directory holds it once it holds that."""
    with feeds.db.sessions() as session:
        made = select(LinkedChild.contactpoint_id, LinkedChild.version).join(SourceRecord).where(SourceRecord.source_id == SOURCE)
        return dict(session.execute(made).tuples().all())


def holds(directory, made: dict[str, int]) -> bool:
    with directory.db.sessions() as session:
        held = dict(session.execute(select(Child.contactpoint_id, Child.version).where(Child.contactpoint_id.in_(made))).tuples().all())
    return all(held.get(child, 0) >= version for child, version in made.items())
