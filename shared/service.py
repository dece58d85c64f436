"""What a running service is: its database, its outbox relay, its subscriptions; and how it runs until told to stop."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from functools import partial

from shared.db import ServiceDatabase
from shared.messaging.connection import connect
from marshmallow import Schema, ValidationError

from shared.cache import make_redis
from shared.errors import DomainError, Forbidden, InvalidRequest, Unavailable, first_fault
from shared.gate import AUTHORIZATION, Gate
from shared.messaging.envelope import Envelope
from shared.messaging import topology
from shared.messaging.consumer import Handler, MessageProcessor, RetryPolicy, Subscription, Worker
from shared.messaging.outbox import MessagingTables, OutboxRelay
from shared.messaging.publisher import Publisher
from shared.principals import OPERATOR, WITH_SESSIONS, Askers
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Consumers of a service's requests, each with its own connection; they wait mostly on the
# database and the broker, so threads overlap well. More throughput comes from more processes.
REQUEST_CONSUMERS = 4
CONNECT_ATTEMPTS = 10


# Who the command line acts as when it performs a request in its own process, holding the operator's credentials.
OPERATOR_ACTOR = {"username": "operator", "la_code": "national", "role": OPERATOR, "category": None, "sees_sensitive": False}


@dataclass(frozen=True)
class Request:
    """A request a service answers, over ``cp.rpc`` or in-process from the command line, and who may ask it."""

    schema: type[Schema]
    handler: Handler
    askers: Askers
    reads_only: bool = False  # changes nothing in the database: answered outside a transaction
    senders: tuple[str, ...] = ()  # the only processes it is taken from over the broker (as the broker says); empty, any


@dataclass(frozen=True)
class Routes:
    """A service's routing table: requests it answers by name, and events it consumes."""

    requests: dict[str, Request] = field(default_factory=dict)
    events: list[Subscription] = field(default_factory=list)


@dataclass
class Service:
    name: str
    settings: Settings
    db: ServiceDatabase
    publisher: Publisher
    relay: OutboxRelay
    gate: Gate
    routes: Routes = field(default_factory=Routes)
    request_consumers: int = REQUEST_CONSUMERS
    # Work nobody waits on: it waits durably in its queue, so under load its process yields the CPU to the
    # services people are waiting on (see ``BACKGROUND_NICENESS``).
    background: bool = False
    retry: RetryPolicy = RetryPolicy()

    @property
    def subscriptions(self) -> list[Subscription]:
        queue = topology.rpc_queue(self.name)
        return [*self.routes.events, *(
            Subscription(queue, request.handler, routing_key=name, schema=request.schema, answers=True, reads_only=request.reads_only,
                         askers=request.askers, senders=request.senders)
            for name, request in self.routes.requests.items()
        )]

    def unit_of_work(self, reads_only: bool = False, answering: Envelope | None = None) -> UnitOfWork:
        return UnitOfWork(self.db, self.relay.tables, self.publisher, on_commit=self.relay.wake, reads_only=reads_only, answering=answering)

    def perform(self, name: str, request: dict, token: str | None = None):
        """Answers a request in this process, as the command line does: validate, one unit of work, send what it emitted.

        Whoever runs this holds the service's own credentials, so ``request["actor"]`` is taken as it
        is: the operator (the default), or a person the command line signed in and checked, whose
        ``token`` goes with any request the handler puts to another service. The request's askers
        still decide whether that person or the operator may ask it.
        """
        route = self.routes.requests[name]
        request = dict(request)
        actor = request.pop("actor", None) or OPERATOR_ACTOR
        allowed = route.askers.anyone or (route.askers.operator if actor["role"] == OPERATOR else actor["role"] in route.askers.roles)
        if not allowed:
            raise Forbidden(f"{name} is not for {'the operator' if actor['role'] == OPERATOR else 'the role ' + actor['role']} to ask")
        try:
            payload = {**route.schema().load(request), "actor": actor}
        except ValidationError as exc:
            raise InvalidRequest(first_fault(exc.messages)) from exc
        carrying = Envelope(exchange="", routing_key=name, body={}, headers={AUTHORIZATION: f"Bearer {token}"} if token else {})
        with self.unit_of_work(reads_only=route.reads_only) as uow:
            try:
                result = route.handler(uow, payload, carrying)
            except DomainError as refusal:
                uow.refused(refusal)
                raise
            uow.commit()
        self.send_outbox()
        return result

    def send_outbox(self) -> None:
        """Sends what waits in the outbox now; what the broker does not take, the running service sends later."""
        try:
            self.relay.flush()
        except Unavailable as exc:
            log.warning("%s: messages wait in the outbox: %s", self.name, exc)

    def run(self, stop: threading.Event) -> None:
        """Consumes until ``stop`` is set; the outbox relay runs beside it.

        One consumer takes every subscription; the others take only requests, which are
        independent of each other, so that one slow answer does not hold up the callers behind
        it. Events keep a single consumer, so that they are handled in the order they came. If the
        relay or any consumer fails, the whole service stops and ``run`` raises, so that its supervisor
        starts it again: a service consuming with a dead relay would commit work it never sent.
        """
        failures: list[BaseException] = []
        relay = self._watched(lambda: self.relay.run(stop), stop, failures, "outbox")
        relay.start()
        requests = [sub for sub in self.subscriptions if sub.answers]
        # ``migrate`` declares the topology as the administrator; a service may not. The demo's broker lives in this process.
        consumers = [self._consumer(self.subscriptions, stop, failures, "consumer", declares_topology=self.settings.embedded)]
        if requests:
            consumers += [self._consumer(requests, stop, failures, f"requests-{n}") for n in range(1, self.request_consumers)]
        for consumer in consumers:
            consumer.start()
        log.info("%s is consuming", self.name)
        for consumer in consumers:
            consumer.join()
        relay.join(timeout=5)
        self.close()
        if failures:
            raise failures[0]

    def _consumer(self, subscriptions: list[Subscription], stop: threading.Event, failures: list, role: str,
                  declares_topology: bool = False) -> threading.Thread:
        """A consumer thread. In the demo, one consumer declares the whole topology first."""

        def consume() -> None:
            with connect(self.settings) as connection:
                connection.ensure_connection(max_retries=CONNECT_ATTEMPTS, interval_start=0.5, interval_step=1, interval_max=5)
                if declares_topology:
                    topology.declare(connection)
                worker = Worker(connection, MessageProcessor(self.name, self.unit_of_work, self.retry, gate=self.gate), subscriptions)
                threading.Thread(target=lambda: (stop.wait(), worker.stop()), daemon=True).start()
                worker.run()

        return self._watched(consume, stop, failures, role)

    def _watched(self, work, stop: threading.Event, failures: list, role: str) -> threading.Thread:
        """A thread doing ``work``; if it fails, the failure is kept and every other thread of the service told to stop."""

        def watched() -> None:
            try:
                work()
            except BaseException as exc:
                log.exception("%s %s stopped", self.name, role)
                failures.append(exc)
                stop.set()

        return threading.Thread(target=watched, name=f"{self.name}-{role}", daemon=True)

    def close(self) -> None:
        self.publisher.close()
        self.db.dispose()
        if self.gate.sessions is not None:
            self.gate.sessions.close()


def build_service(name: str, settings: Settings, tables: MessagingTables, routes: Routes, background: bool = False) -> Service:
    """The composition every service shares; its own bootstrap makes its dependencies and routes.

    ``settings`` are narrowed to the service's own first, if its bootstrap has not done so.
    """
    settings = settings.for_service(name)
    db = ServiceDatabase(settings.database_url, name, replica_url=settings.database_replica_url)
    publisher = Publisher(partial(connect, settings))
    return Service(name, settings, db, publisher, OutboxRelay(db, tables, publisher), gate_for(settings), routes, background=background)


def gate_for(settings: Settings) -> Gate:
    """The gate of a process: it checks tokens against their sessions where the process may read them."""
    if settings.service not in WITH_SESSIONS:
        return Gate(settings.names)
    return Gate(settings.names, settings.token_public_key, make_redis(settings), settings.token_lifetime_seconds)


# How much a background service's process yields to the others when the CPU is short: searches through the API
# ran about 8% faster (p95) with the audit service at 10, on two cores where every process competes.
BACKGROUND_NICENESS = 10


# Collections of the youngest objects after this many allocations, not the default 700: a batch
# makes tens of thousands of short-lived objects, and each collection also walks the survivors.
YOUNG_COLLECTION_THRESHOLD = 50_000


def collect_for_a_long_run() -> None:
    """Tunes the garbage collector for a process that serves until stopped, once it is set up.

    What is made by then (modules, schemas, the service itself) lives as long as the process, so
    it is never walked again; and the youngest objects are collected less often.
    """
    import gc

    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


def run_until_signalled(service: Service) -> None:
    """Runs a service in the foreground until SIGTERM or Ctrl-C, then stops it cleanly."""
    import signal

    if service.background:
        os.nice(BACKGROUND_NICENESS)
    collect_for_a_long_run()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    service.run(stop)
