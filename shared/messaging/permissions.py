"""What each process may do on the broker: the exchanges it publishes to, with which routing keys, and the queues it reads.

Read with the topology beside it: a process declares nothing (``migrate`` declares the topology
as the administrator), so none may configure anything; each
reads only the queues named after it; each writes only where its messages go, and on topic
exchanges only under its own routing keys. Replies to requests travel through the default
exchange, which every answering service must write to: what arrives that way is still checked
by its consumer against the ``user_id`` the broker verified.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.messaging.topology import ALERTS, AUDIT, DEAD, DELAY, EVENTS, FEEDBACK, RPC, TASKS
from shared.principals import ANSWERING, PERSON_FACING

DEFAULT_EXCHANGE = "amq.default"
NOTHING = "^$"


@dataclass(frozen=True)
class Permissions:
    configure: str = NOTHING
    write: str = NOTHING
    read: str = NOTHING
    topics: dict[str, str] = field(default_factory=dict)  # exchange -> routing keys it may publish with
    binds: dict[str, str] = field(default_factory=dict)  # exchange -> routing keys it may bind queues with (none elsewhere)


def _one_of(*names: str) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def _requests_of(*services: str) -> str:
    return r"^(" + "|".join(services) + r")\.[a-z_]+$"


def for_process(process: str) -> Permissions:
    if process == "provisioner":
        return _provisioner()
    if process in ANSWERING:
        # A retry waits in the delay queue of one of its own work queues, sent there under that queue's name.
        writes = [DEFAULT_EXCHANGE, AUDIT.name, DEAD.name, DELAY.name]
        topics = {AUDIT.name: rf"^[^.]+\.{process}\.[a-z_]+$", DEAD.name: rf"^{process}\.", DELAY.name: rf"^{process}\.[a-z-]+$"}
        extra = {
            # Feeds and audit ask the provisioner for their partners' and teams' broker users, each only its own kind.
            "feeds": ([EVENTS.name, FEEDBACK.name, RPC.name], {
                EVENTS.name: r"^feeds\.child\.[a-z_]+$", FEEDBACK.name: r"^[^.]+\.[a-z_]+$",
                RPC.name: r"^provisioner\.(open|close)_source_account$"}),
            "audit": ([ALERTS.name, RPC.name], {ALERTS.name: r"^[^.]+\.[a-z_]+$", RPC.name: r"^provisioner\.open_team_account$"}),
            # The requests a service puts for a person: the record a second person's approval discloses, and for an
            # approver, who the children of the requests they decide are.
            "disclosure": ([RPC.name], {RPC.name: r"^directory\.(disclose|identify)$"}),
        }.get(process, ([], {}))
        return Permissions(write=_one_of(*writes, *extra[0]), read=rf"^{re.escape(process)}\.[a-z-]+$", topics={**topics, **extra[1]})
    if process == "portal":
        return Permissions(write=_one_of(RPC.name), topics={RPC.name: _requests_of(*PERSON_FACING)})
    if process == "worker":
        return Permissions(write=_one_of(RPC.name), read=_one_of(TASKS.name), topics={RPC.name: _requests_of(*PERSON_FACING)})
    if process == "scheduler":
        return Permissions(write=_one_of(TASKS.name), topics={TASKS.name: _one_of(TASKS.name)})
    raise KeyError(process)


def _provisioner() -> Permissions:
    """It answers feeds and audit, and declares (then binds) partners' feedback queues and security teams' queues.

    It is a broker administrator, which it must be to create users; these permissions are what its
    own connection needs, no more, so that what it does on the broker is what its handlers say.
    """
    partners_queues = rf"{re.escape(FEEDBACK.name)}\.[^.]+|{re.escape(AUDIT.name)}\.[^.]+"
    answers = "|".join(re.escape(name) for name in (DEFAULT_EXCHANGE, AUDIT.name, DEAD.name))
    bound_to = "|".join(re.escape(name) for name in (FEEDBACK.name, AUDIT.name, ALERTS.name))
    return Permissions(
        configure=f"^({partners_queues})$", write=f"^({answers}|{partners_queues})$", read=rf"^(provisioner\.[a-z-]+|{bound_to})$",
        topics={AUDIT.name: r"^[^.]+\.provisioner\.[a-z_]+$", DEAD.name: r"^provisioner\."}, binds={AUDIT.name: ".*"},
    )
