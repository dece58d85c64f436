"""Ingestion: feed messages published by a source until the directory holds every child.

Base: the same messages published as a source publishes them (in chunks, each confirmed as a
whole) to a plain quorum queue on the same broker and consumed with acks, the least any
ingestion through that broker could cost.
Size with CP_BENCH_FEED_MESSAGES (default 5,000).
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import replace

from kombu import Consumer, Queue
from sqlalchemy import func, select

from bench.processes import Running, services
from bench.report import Report, cpu_seconds, stopwatch
from contactpoint import partner, synthetic
from services.directory.bootstrap import bootstrap as directory_service
from services.directory.models import Child
from services.feeds.bootstrap import bootstrap as feeds_service
from services.feeds.models import SourceRecord
from shared.contracts.requests import ADD_SOURCE
from shared.messaging.connection import connect
from shared.messaging.publisher import Publisher
from shared.messaging.topology import DIRECTORY_CHILD_UPDATES, FEEDS_PARTNER_MESSAGES, rpc_queue
from shared.settings import Settings

SOURCE = "bench-schools"


def run(settings: Settings, report: Report) -> None:
    count = int(os.environ.get("CP_BENCH_FEED_MESSAGES", 5000))
    rng = random.Random(7)
    messages = [
        synthetic.feed_message(child, source_record_id=f"S-{child.person_id}", sequence=1, service="school", rng=rng)
        for child in synthetic.population(count)
    ]
    report.note(f"{count:,} feed messages of distinct children, one source, feeds and directory as their own processes")
    base = report.rate("raw publish (confirmed by chunk) + consume", count, raw_publish_and_consume(settings, messages))
    matched, held_in_directory = ingest(settings, messages, report)
    report.rate("matched: published -> committed by feeds", count, matched, base=("raw", base))
    report.rate("ingested: published -> held in the directory", count, held_in_directory, base=("raw", base))


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


def ingest(settings: Settings, messages: list[dict], report: Report) -> tuple[float, float]:
    """Seconds until the feeds service has matched and committed every message, and until the directory holds every child;
    reports each service's CPU time per message."""
    feeds = feeds_service(settings)
    with services(settings, "provisioner") as provisioner:  # makes the source's broker user
        _wait_until_consuming(settings, provisioner, [rpc_queue("provisioner")])
        password = feeds.perform(ADD_SOURCE, {
            "source_id": SOURCE, "name": "Bench schools", "la_code": None, "kinds": ["school"],
        })["amqp_password"]
    directory = directory_service(settings)
    try:
        with services(settings, "feeds", "directory") as running:
            _wait_until_consuming(settings, running, [FEEDS_PARTNER_MESSAGES, DIRECTORY_CHILD_UPDATES])
            cpu_before = cpu_seconds(running.pids)
            matched = None
            with partner.source_connection(settings.amqp_url, SOURCE, password) as connection, stopwatch() as elapsed:
                for _ in partner.publish(connection, ((SOURCE, message) for message in messages)):
                    pass
                while held(directory) < len(messages):
                    if running.any_stopped():
                        raise RuntimeError("a service stopped during the benchmark")
                    if matched is None and committed(feeds) >= len(messages):
                        matched = elapsed()
                    time.sleep(0.05)
            report.cpu_per_item("CPU per message, by process", len(messages), cpu_before, cpu_seconds(running.pids))
            return matched or elapsed(), elapsed()
    finally:
        directory.close()
        feeds.close()


def _wait_until_consuming(settings: Settings, running: Running, queues: list[Queue]) -> None:
    """Returns once every queue has a consumer, so that the services' start-up is not counted as ingestion."""
    deadline = time.monotonic() + 60
    with connect(settings) as connection:
        while not all(queue(connection.default_channel).queue_declare(passive=True).consumer_count for queue in queues):
            if running.any_stopped() or time.monotonic() > deadline:
                raise RuntimeError("the services did not start consuming within 60 s")
            time.sleep(0.2)


def committed(feeds) -> int:
    with feeds.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(SourceRecord))


def held(directory) -> int:
    with directory.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(Child))
