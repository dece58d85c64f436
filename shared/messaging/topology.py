"""The broker topology of the external contract and of the services' own queues, in one place.

Exchanges are durable topics. Every work queue is a durable quorum queue whose rejected
messages fall to ``cp.dead`` under the queue's own name, where ``<queue>.dead`` keeps them
with their reason. A message whose handling failed for a while waits out its retry's delay
in ``<queue>.delayed`` (sent through ``cp.delay`` under the queue's name, expiring after the
delay), from which the broker dead-letters it back into the work queue, counting the times in
``x-death``. Queue names say who consumes: ``<service>.<what it receives>``.
"""
from __future__ import annotations

from kombu import Connection, Exchange, Queue

from shared.principals import ANSWERING

PRECONDITION_FAILED = 406  # AMQP's reply when a queue is declared with other arguments than it has

FEEDS = Exchange("cp.feeds", "topic", durable=True)
FEEDBACK = Exchange("cp.feedback", "topic", durable=True)
AUDIT = Exchange("cp.audit", "topic", durable=True)
ALERTS = Exchange("cp.alerts", "topic", durable=True)
EVENTS = Exchange("cp.events", "topic", durable=True)
RPC = Exchange("cp.rpc", "topic", durable=True)
DEAD = Exchange("cp.dead", "topic", durable=True)
DELAY = Exchange("cp.delay", "topic", durable=True)
TASKS = Exchange("cp.tasks", "topic", durable=True)  # the scheduler's, for the Celery worker (see shared/scheduling.py)

EXCHANGES = (FEEDS, FEEDBACK, AUDIT, ALERTS, EVENTS, RPC, DEAD, DELAY, TASKS)
# Exchanges whose every message must reach a queue: an audit event, a dead letter or a retry that reaches none is an
# error, not a silent confirm.
MANDATORY = (AUDIT.name, DEAD.name, DELAY.name)


def work_queue(name: str, exchange: Exchange, binding: str) -> Queue:
    return Queue(
        name,
        exchange,
        routing_key=binding,
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD.name,
            "x-dead-letter-routing-key": name,
        },
    )


# A request is worth nothing once its caller has stopped waiting (seconds), so requests
# travel transient through a classic queue: no disk write on the way, none kept for long.
REQUEST_TTL_MS = 30_000


def rpc_queue(service: str) -> Queue:
    return Queue(
        f"{service}.requests", RPC, routing_key=f"{service}.#", durable=True,
        queue_arguments={"x-queue-type": "classic", "x-message-ttl": REQUEST_TTL_MS},
    )


def dead_letter_queue(work: Queue) -> Queue:
    return Queue(
        f"{work.name}.dead", DEAD, routing_key=work.name, durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def delay_queue(work: Queue) -> Queue:
    """Where a message waits out its retry's delay (its own ``expiration``), then falls back into ``work`` by the default exchange.

    A quorum queue like its work queue, so that a retry waits on every node: a classic queue lives on one,
    and while that node is down RabbitMQ confirms a message sent to it and drops it. Its expired messages
    go back at least once (the broker keeps each until the work queue has it), which RabbitMQ allows only
    with publishes refused, not old messages dropped, when the queue is full. A message's expiration is
    honoured when it reaches the head of the queue, so a short delay may wait behind a longer one, never
    longer than the longest delay."""
    return Queue(
        f"{work.name}.delayed", DELAY, routing_key=work.name, durable=True,
        queue_arguments={"x-queue-type": "quorum", "x-dead-letter-exchange": "", "x-dead-letter-routing-key": work.name,
                         "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"},
    )


def feedback_queue(source_id: str) -> Queue:
    """A partner's own feedback queue; feedback waits here while the partner is offline."""
    return Queue(
        f"cp.feedback.{source_id}", FEEDBACK, routing_key=f"{source_id}.#", durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def team_queue(team_id: str, exchange: Exchange, binding: str) -> Queue:
    """A security team's own queue, one binding of it: events and alerts wait here while the team is offline."""
    return Queue(f"{AUDIT.name}.{team_id}", exchange, routing_key=binding, durable=True, queue_arguments={"x-queue-type": "quorum"})


FEEDS_PARTNER_MESSAGES = work_queue("feeds.partner-messages", FEEDS, "#")
DIRECTORY_CHILD_UPDATES = work_queue("directory.child-updates", EVENTS, "feeds.child.#")
AUDIT_EVENTS = work_queue("audit.events", AUDIT, "#")
DISCLOSURE_CHILD_UPDATES = work_queue("disclosure.child-updates", EVENTS, "feeds.child.merged")

# The queues of messages whose handling is retried through a delay queue (a request's caller is answered at once instead).
RETRIED = (
    FEEDS_PARTNER_MESSAGES,
    DIRECTORY_CHILD_UPDATES,
    AUDIT_EVENTS,
    DISCLOSURE_CHILD_UPDATES,
)
WORK_QUEUES = (
    *RETRIED,
    *(rpc_queue(service) for service in ANSWERING),
)
QUEUES = {queue.name: queue for queue in WORK_QUEUES}
# Declared here with the rest, as neither the scheduler that puts tasks on it nor the worker that takes them may declare.
SCHEDULED_TASKS = Queue(TASKS.name, TASKS, routing_key=TASKS.name, durable=True, queue_arguments={"x-queue-type": "quorum"})


def declare(connection: Connection) -> None:
    """Declares every exchange and queue; declaring what exists changes nothing."""
    with connection.channel() as channel:
        for exchange in EXCHANGES:
            exchange(channel).declare()
        for queue in WORK_QUEUES:
            queue(channel).declare()
            dead_letter_queue(queue)(channel).declare()
        SCHEDULED_TASKS(channel).declare()
    for queue in RETRIED:
        _declare_replacing_an_empty_older_kind(connection, delay_queue(queue))


def _declare_replacing_an_empty_older_kind(connection: Connection, queue: Queue) -> None:
    """Declares the queue; one of the same name declared otherwise (a delay queue of an earlier release) is replaced,
    but only while it holds nothing: a retry waiting in it is never dropped, and ``migrate`` is run again once it is empty."""
    with connection.channel() as channel:
        try:
            queue(channel).declare()
            return
        except connection.channel_errors as exc:
            if getattr(exc, "code", None) != PRECONDITION_FAILED:
                raise
    with connection.channel() as channel:
        try:
            channel.queue_delete(queue.name, if_empty=True)
        except connection.channel_errors as exc:
            raise RuntimeError(f"{queue.name} was declared by an earlier release and still holds messages: "
                               "run migrate again once they have gone back to their work queue") from exc
        queue(channel).declare()
