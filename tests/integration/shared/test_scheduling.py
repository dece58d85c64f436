"""The scheduler puts each periodic request on ``cp.tasks`` as its own broker user, with the rights it is given and no more."""
from __future__ import annotations

import pytest
from kombu import Queue

from shared.contracts.requests import CHECKPOINT_AUDIT
from shared.messaging.connection import connect
from shared.scheduling import TASK_QUEUE, make_celery
from tests.support import wait_until

pytestmark = pytest.mark.integration


def test_the_scheduler_puts_a_periodic_request_on_the_task_queue_for_the_worker(migrated):
    scheduler = make_celery(migrated.for_service("scheduler"))

    scheduler.send_task("contactpoint.perform", args=(CHECKPOINT_AUDIT,))

    with connect(migrated.for_service("worker")) as connection:
        queue = Queue(TASK_QUEUE, no_declare=True)(connection.channel())
        task = wait_until(lambda: queue.get(no_ack=True, accept=["json"]), what="the task on cp.tasks")
    assert task.headers["task"] == "contactpoint.perform" and task.headers["argsrepr"] == repr((CHECKPOINT_AUDIT,))
