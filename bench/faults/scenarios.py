"""The fault scenarios, and how each is run: a feed and a search load going, the fault mid-feed, then the check.

A scenario is a name and what it does to the running system; ``run`` is the same for all of them.
"""
from __future__ import annotations

import time
import uuid
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bench.faults.history import FeedLoad, History, SearchLoad, Tally, check, feedback_of, unsettled
from bench.faults.system import System, wait_until

SERVICES_KILLED = ("identity", "directory", "feeds", "audit", "disclosure", "portal")
SETTLE_SECONDS = 120
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Callable[[System], None]  # returns once the fault is over (a node back, a service restarted)

    def named(self, name: str) -> Scenario:
        return Scenario(name, self.fault)


def kill_each_service(pause: float = 2.0) -> Scenario:
    def fault(system: System) -> None:
        for name in SERVICES_KILLED:
            system.kill(name)
            time.sleep(pause)
    return Scenario("kill -9 of each service", fault)


def audit_down(seconds: float) -> Scenario:
    def fault(system: System) -> None:
        system.stop("audit")
        time.sleep(seconds)
        system.start("audit", "audit")
    return Scenario(f"audit down {seconds:.0f}s under search load", fault)


def disk_alarm(nodes: list, seconds: float) -> Scenario:
    """Each node told to keep far more disk free than there is: the broker blocks every publisher until the limit is put back."""
    def fault(system: System) -> None:
        for node in nodes:
            node.ctl("set_disk_free_limit", str(10**15))
        time.sleep(seconds)
        for node in nodes:
            node.ctl("set_disk_free_limit", "50MB")
    return Scenario(f"broker disk alarm for {seconds:.0f}s", fault)


def broker_restarted(stop: Callable[[], None], start: Callable[[], None], seconds: float = 8) -> Scenario:
    def fault(system: System) -> None:
        stop()
        time.sleep(seconds)
        start()
    return Scenario("whole broker restarted", fault)


def run(system: System, scenario: Scenario, messages: int, seed: int, mid_feed: float = 0.3, settle_seconds: float = SETTLE_SECONDS) -> Tally:
    """Feeds ``messages`` children with searches going on, breaks the system part-way, and checks what it then holds.

    Each wait (part-way through, recovered, every message handled) gives up after ``settle_seconds``."""
    tag = uuid.uuid4().hex[:8]
    source_id, actor = f"faults-{tag}", f"faults.{tag}"
    password = system.source(source_id)
    history = History(source_id, actor)
    feed = FeedLoad(history, system.settings.amqp_url, password, messages, seed=seed)
    searches = SearchLoad(history, system.base_url, system.practitioner_token(actor), feed)
    feed.start()
    searches.start()
    try:
        wait_until(lambda: handled(system, history) >= messages * mid_feed or feed.failure, timeout=settle_seconds,
                   what="the feed to be part-way through")
        log.warning("%s: the fault, with %d of %d messages handled", scenario.name, handled(system, history), messages)
        scenario.fault(system)
        log.warning("%s: the fault is over", scenario.name)
        recovered_from = time.monotonic()
        answered, taken = len(history.searches), handled(system, history)
        try:
            wait_until(lambda: len(history.searches) > answered and (handled(system, history) > taken or taken >= feed.to_take),
                       timeout=settle_seconds, what="searches to be answered and feed messages taken again")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}: {len(history.searches) - answered} searches answered since, refused {dict(history.refused)}; "
                               f"{handled(system, history) - taken} messages handled since, {taken} before") from None
        recover_seconds = time.monotonic() - recovered_from
        log.warning("%s: recovered in %.1fs", scenario.name, recover_seconds)
        feed.join(timeout=settle_seconds)
        if feed.failure is not None:
            raise feed.failure
        try:
            wait_until(lambda: not unsettled(system.settings.database_url, history), timeout=settle_seconds,
                       what="every confirmed message to be handled")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}: {unsettled(system.settings.database_url, history)}") from None
    finally:
        searches.stop.set()
        searches.join(timeout=30)
    log.warning("%s: every message handled", scenario.name)
    feedback = _feedback_on_each(system, history, password, settle_seconds)
    tally = _when_stored(system, history, feedback)
    tally.recover_seconds = recover_seconds
    return tally


def _feedback_on_each(system: System, history: History, password: str, seconds: float) -> list[dict]:
    """The source's feedback, taken until every confirmed message has its answer or ``seconds`` have passed.

    A refusal leaves no mark in feeds' database and is sent by its consumer, not through an outbox: one delivered again
    after the broker came back is refused again once the consumer is back too, which "every other message handled and every
    outbox empty" does not wait for."""
    told: list[dict] = []
    started = time.monotonic()
    while True:
        told += feedback_of(system.settings.amqp_url, history.source_id, password)
        answered = {t["message_id"] for t in told}
        unanswered = [m for m in history.confirmed if m not in answered]
        if not unanswered:
            log.warning("feedback on every confirmed message %.1fs after the last was handled", time.monotonic() - started)
            return told
        if time.monotonic() > started + seconds:
            log.warning("%d confirmed messages still unanswered after %.0fs (%d of them meant to be refused); the queues: %s",
                        len(unanswered), seconds, len(set(unanswered) & history.meant_to_be_rejected), system.queue_depths())
            return told
        time.sleep(1)


def _when_stored(system: System, history: History, feedback: list[dict], seconds: float = 120) -> Tally:
    """The check, once the directory, disclosure and the audit service have stored what waits in their queues, or ``seconds``
    have passed: each takes its queue at its own pace, and a service that was cut off may start late on what waited for it."""
    started = time.monotonic()
    while (tally := check(system.settings.database_url, history, feedback, audit_intact=True)).still_arriving:
        if time.monotonic() > started + seconds:
            log.warning("still arriving after %.0fs: %d accepted children not in the directory, disclosure holding %+d beside it, "
                        "%d audit events; the queues: %s", seconds, tally.not_in_directory, tally.in_disclosure - tally.in_directory,
                        tally.audit_missing, system.queue_depths())
            break
        time.sleep(1)
    else:
        log.warning("the directory, disclosure and audit store settled %.1fs after the feedback", time.monotonic() - started)
    verdict = system.audit_verdict()
    tally.audit_verified = not verdict
    if verdict:
        tally.faults.append(f"audit verify: {verdict}")
    return tally


def handled(system: System, history: History) -> int:
    with history.lock:
        ids = list(history.confirmed)
    engine = sa.create_engine(system.settings.database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM feeds.processed_messages WHERE consumer = 'feeds' "
                                             "AND message_id = ANY(:ids)"), {"ids": ids})
    finally:
        engine.dispose()


COLUMNS = ("scenario", "published", "confirmed", "accepted", "rejected", "held", "lost", "duplicated",
           "searches answered", "searches refused", "audit expected", "audit stored", "audit extra", "recover s")


def refused(tally: Tally) -> str:
    """How many searches and reads were refused, and how: ``0``, or e.g. ``31 (503 ×30, ReadTimeout ×1; slowest 10.0s)``."""
    if not tally.searches_refused:
        return "0"
    how = ", ".join(f"{why} ×{n}" for why, n in sorted(tally.refusals.items()))
    return f"{tally.searches_refused} ({how}; slowest {tally.slowest_refusal:.1f}s)"


def table(rows: list[tuple[str, Tally]]) -> str:
    lines = [COLUMNS]
    for name, t in rows:
        lines.append((name, *map(str, (t.published, t.confirmed, t.accepted, t.rejected, t.held, t.lost, t.duplicated,
                                       t.searches_answered)), refused(t), *map(str, (t.audit_expected, t.audit_stored, t.audit_extra)),
                      f"{t.recover_seconds:.1f}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
                     for line in lines)
