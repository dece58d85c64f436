"""Scheduled work: Celery beat says when, a Celery worker asks the owning service to do it.

A service that has periodic work names it in ``services/<name>/schedule.py`` as
``SCHEDULE = {request_name: seconds_between_runs}``; the request itself is an ordinary
``Request`` of that service, so the same code runs from the command line, over the broker,
or on schedule. One task, ``contactpoint.perform``, serves every scheduled request: the worker
puts it on ``cp.rpc`` as its own broker user, which is the proof the service checks (its
routing table names the worker among the request's askers). The worker holds no database
credential and no service's secret.
"""
from __future__ import annotations

import tempfile
from functools import cache
from importlib import import_module
from pathlib import Path

from celery import Celery
from celery.worker.consumer import Consumer
from kombu import Queue

from shared.messaging.connection import connect
from shared.messaging.rpc import RpcClient
from shared.messaging.topology import SCHEDULED_TASKS
from shared.principals import ANSWERING as SERVICES
from shared.settings import Settings

TASK_QUEUE = SCHEDULED_TASKS.name
# Scheduled work may take long (a day's archiving): the worker waits this long for its answer.
SCHEDULED_ANSWER_SECONDS = 600


def schedules() -> dict[str, float]:
    """Every service's periodic requests, with the seconds between runs."""
    gathered: dict[str, float] = {}
    for name in SERVICES:
        try:
            module = import_module(f"services.{name}.schedule")
        except ModuleNotFoundError:
            continue
        gathered.update(module.SCHEDULE)
    return gathered


def make_celery(settings: Settings) -> Celery:
    app = Celery("contactpoint", broker=settings.amqp_url, set_as_current=False)
    app.conf.update(
        task_default_queue=TASK_QUEUE,
        task_default_exchange=TASK_QUEUE, task_default_exchange_type="topic", task_default_routing_key=TASK_QUEUE,
        # Declared by migrate with the topology: the scheduler and the worker may not declare it, nor bind it.
        task_queues=[Queue(TASK_QUEUE, SCHEDULED_TASKS.exchange, routing_key=SCHEDULED_TASKS.routing_key, durable=True,
                           queue_arguments=SCHEDULED_TASKS.queue_arguments, no_declare=True)],
        task_serializer="json", accept_content=["json"], result_backend=None, task_ignore_result=True,
        # A task is acknowledged when done, so one lost with its worker runs again.
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, timezone="UTC", enable_utc=True,
        worker_hijack_root_logger=False,
        # No remote control, events or gossip: each would need broker rights (queues of its own) beyond the task queue's.
        worker_enable_remote_control=False, worker_send_task_events=False, worker_consumer=f"{__name__}:WorkerConsumer",
        beat_schedule={
            request: {"task": "contactpoint.perform", "schedule": seconds, "args": (request,)}
            for request, seconds in schedules().items()
        },
    )
    app.task(name="contactpoint.perform")(perform)
    return app


class WorkerConsumer(Consumer):
    """Celery's consumer without native delayed delivery, which on seeing a quorum queue declares 28 exchanges and queues
    of its own (rights the worker does not have, so it retried every few seconds): no ContactPoint task is ever delayed."""

    class Blueprint(Consumer.Blueprint):
        default_steps = [step for step in Consumer.Blueprint.default_steps if not step.endswith(":DelayedDelivery")]


def run_celery(settings: Settings, role: str) -> None:
    """Runs the Celery ``worker`` or the ``scheduler`` (beat) in the foreground until SIGTERM, as its own broker user."""
    settings = settings.for_service(role)
    app = make_celery(settings)
    if role == "worker":
        app.worker_main(["worker", "--loglevel=WARNING", "--concurrency=2", "--queues", TASK_QUEUE, "--without-gossip", "--without-mingle",
                         "--without-heartbeat"])
    else:
        schedule_file = Path(tempfile.gettempdir()) / f"contactpoint-beat-{settings.vhost.strip('/') or 'default'}"
        app.start(["beat", "--loglevel=WARNING", "--schedule", str(schedule_file)])


def perform(request: str):
    """Asks the service that owns ``request`` (``<service>.<request>``) to do it, as the worker."""
    return _client().call(request, {})


@cache
def _client() -> RpcClient:
    settings = Settings.from_env().for_service("worker")
    return RpcClient(lambda: connect(settings), timeout=SCHEDULED_ANSWER_SECONDS)
