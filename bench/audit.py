"""Audit: events stored and chained per second by the audit service, as its own process.

The events wait in the audit service's durable queue before it starts (as after an outage),
then it stores them; the rate is taken from its first stored batch (not counted) to its last
event. Base: the same events, waiting in a plain quorum queue on the same broker, consumed with acks.
Events are searches and reads of an ordinary working day by many practitioners, so the
misuse rules run on every one but rarely fire. Size with CP_BENCH_AUDIT_EVENTS (default 20,000).
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone

from kombu import Consumer, Queue

from bench.processes import services
from bench.report import Report, stopwatch
from services.audit.bootstrap import bootstrap as audit_service
from services.audit.models import ChainHead
from shared.contracts.audit import audit_event, numbered
from shared.messaging.connection import connect
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import publish_on
from shared.principals import PRACTITIONER
from shared.settings import Settings

WORKING_MORNING = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc).isoformat()
PRACTITIONERS = 500


def run(settings: Settings, report: Report) -> None:
    count = int(os.environ.get("CP_BENCH_AUDIT_EVENTS", 20_000))
    events = [lookup(n) for n in range(count)]
    report.note(f"{count:,} audit events (searches and reads by {PRACTITIONERS} practitioners), waiting in the queue before the consumer starts")
    base = report.rate("raw consume (acks) of a plain quorum queue", count, raw_consume(settings, events))
    timed, seconds = store(settings, events)
    report.rate("stored and chained by the audit service", timed, seconds, base=("raw", base))


def lookup(n: int) -> Envelope:
    actor = {"username": f"practitioner-{n % PRACTITIONERS}", "la_code": "E08000035", "role": PRACTITIONER, "category": "social_worker"}
    child = f"CP-{n:07d}"
    event = (audit_event("directory", "read", actor=actor, purpose="safeguarding", subject=child, contactpoint_ids=[child],
                         detail={"child_la_code": "E08000035", "shielded": False})
             if n % 3 else
             audit_event("directory", "search", actor=actor, purpose="safeguarding", criteria={"identifier": f"943476{n:04d}"},
                         contactpoint_ids=[child]))
    event.body["occurred_at"] = WORKING_MORNING
    return numbered(event)


def publish_all(settings: Settings, events: list[Envelope], **redirect) -> None:
    with connect(settings) as connection:
        channel = connection.channel()
        for event in events:
            publish_on(channel, Envelope(**{**event.__dict__, **redirect}))


def raw_consume(settings: Settings, events: list[Envelope]) -> float:
    queue = Queue("bench.raw", durable=True, queue_arguments={"x-queue-type": "quorum"})
    with connect(settings) as connection:
        queue(connection.default_channel).declare()
        publish_all(settings, events, exchange="", routing_key=queue.name)
        received = 0

        def take(body, message):
            nonlocal received
            received += 1
            message.ack()

        with Consumer(connection, [queue], callbacks=[take], prefetch_count=200), stopwatch() as elapsed:
            while received < len(events):
                connection.drain_events(timeout=10)
        seconds = elapsed()
        queue(connection.default_channel).delete()
    return seconds


def store(settings: Settings, events: list[Envelope]) -> tuple[int, float]:
    """How many events were stored after the first were seen stored, and in how many seconds."""
    # Sent as the directory sends them: the audit service takes a service's events from that service's broker user alone.
    publish_all(settings.for_service("directory"), events)
    audit = audit_service(settings)
    try:
        with services(settings, "audit") as running:
            first = last = None
            while last is None:
                if running.any_stopped():
                    raise RuntimeError("the audit service stopped during the benchmark")
                held = stored(audit)
                now = time.perf_counter()
                if first is None and held:
                    first = (now, held)
                if held >= len(events):
                    last = now
                time.sleep(0.05)
        # The first batch was stored before the clock started, so it is not counted.
        return len(events) - first[1], last - first[0]
    finally:
        audit.close()


def stored(audit) -> int:
    """The chain head's sequence number: as many as are stored, read without counting them."""
    with audit.db.sessions() as session:
        head = session.get(ChainHead, 1)
        return head.seq if head else 0
