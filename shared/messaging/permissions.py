"""What each process may do on the broker: the exchanges it publishes to, with which routing keys, and the queues it reads.

Read with the topology beside it: a process declares nothing (``migrate`` declares the topology
as the administrator), so none may configure anything but the scheduler's own task queue; each
reads only the queues named after it; each writes only where its messages go, and on topic
exchanges only under its own routing keys. Replies to requests travel through the default
exchange, which every answering service must write to: what arrives that way is still checked
by its consumer against the ``user_id`` the broker verified.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.messaging.topology import ALERTS, AUDIT, DEAD, EVENTS, FEEDBACK, RPC

DEFAULT_EXCHANGE = "amq.default"
TASKS = "cp.tasks"  # the scheduler's queue and exchange for Celery (see shared/scheduling.py)
ANSWERING = ("identity", "directory", "feeds", "audit", "disclosure")
NOTHING = "^$"


@dataclass(frozen=True)
class Permissions:
    configure: str = NOTHING
    write: str = NOTHING
    read: str = NOTHING
    topics: dict[str, str] = field(default_factory=dict)  # exchange -> routing keys it may publish with


def _one_of(*names: str) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def _requests_of(*services: str) -> str:
    return r"^(" + "|".join(services) + r")\.[a-z_]+$"


def for_process(process: str) -> Permissions:
    if process in ANSWERING:
        writes = [DEFAULT_EXCHANGE, AUDIT.name, DEAD.name]
        topics = {AUDIT.name: rf"^[^.]+\.{process}\.[a-z_]+$", DEAD.name: rf"^{process}\."}
        extra = {
            "feeds": ([EVENTS.name, FEEDBACK.name], {EVENTS.name: r"^feeds\.child\.[a-z_]+$", FEEDBACK.name: r"^[^.]+\.[a-z_]+$"}),
            "audit": ([ALERTS.name], {ALERTS.name: r"^[^.]+\.[a-z_]+$"}),
            # The one request a service puts for a person: the record a second person's approval discloses.
            "disclosure": ([RPC.name], {RPC.name: r"^directory\.disclose$"}),
        }.get(process, ([], {}))
        return Permissions(write=_one_of(*writes, *extra[0]), read=rf"^{re.escape(process)}\.[a-z-]+$", topics={**topics, **extra[1]})
    if process == "portal":
        return Permissions(write=_one_of(RPC.name), topics={RPC.name: _requests_of(*ANSWERING)})
    if process == "worker":
        return Permissions(configure=_one_of(TASKS), write=_one_of(RPC.name, TASKS), read=_one_of(TASKS),
                           topics={RPC.name: _requests_of(*ANSWERING)})
    if process == "scheduler":
        return Permissions(configure=_one_of(TASKS), write=_one_of(TASKS))
    raise KeyError(process)
