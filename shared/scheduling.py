"""Scheduled work: Celery beat says when, a Celery worker asks the owning service to do it.

A service that has periodic work names it in ``services/<name>/schedule.py`` as
``SCHEDULE = {request_name: seconds_between_runs}``; the request itself is an ordinary
``Request`` of that service, so the same code runs from the command line, over the broker,
or on schedule. One task, ``contactpoint.perform``, serves every scheduled request.
"""
from __future__ import annotations

import tempfile
from functools import cache
from importlib import import_module
from pathlib import Path

from celery import Celery
from kombu import Exchange, Queue

from shared.settings import Settings

SERVICES = ("identity", "directory", "feeds", "audit", "disclosure")
TASK_QUEUE = "cp.tasks"
SCHEDULER = {"username": "scheduler", "la_code": "national", "role": "operator", "category": None}


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
        task_queues=[Queue(TASK_QUEUE, Exchange(TASK_QUEUE, type="topic"), routing_key=TASK_QUEUE, durable=True, queue_arguments={"x-queue-type": "quorum"})],
        task_serializer="json", accept_content=["json"], result_backend=None, task_ignore_result=True,
        # A task is acknowledged when done, so one lost with its worker runs again.
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, timezone="UTC", enable_utc=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            request: {"task": "contactpoint.perform", "schedule": seconds, "args": (request,)}
            for request, seconds in schedules().items()
        },
    )
    app.task(name="contactpoint.perform")(perform)
    return app


def run_celery(settings: Settings, role: str) -> None:
    """Runs the Celery ``worker`` or the ``scheduler`` (beat) in the foreground until SIGTERM."""
    app = make_celery(settings)
    if role == "worker":
        app.worker_main(["worker", "--loglevel=WARNING", "--concurrency=2", "--queues", TASK_QUEUE, "--without-gossip", "--without-mingle"])
    else:
        schedule_file = Path(tempfile.gettempdir()) / f"contactpoint-beat-{settings.vhost.strip('/') or 'default'}"
        app.start(["beat", "--loglevel=WARNING", "--schedule", str(schedule_file)])


def perform(request: str):
    """Asks the service that owns ``request`` (``<service>.<request>``) to do it, as the scheduler."""
    service_name = request.split(".", 1)[0]
    return _service(service_name).perform(request, {"actor": SCHEDULER})


@cache
def _service(name: str):
    return import_module(f"services.{name}.bootstrap").bootstrap(Settings.from_env())
