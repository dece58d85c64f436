"""`contactpoint dead-letters`: what a work queue could not handle and why, and sending it again, for an operator.

The operator reads the dead-letter queue with the administrator's broker URL (``CP_AMQP_URL``, as for ``migrate``),
and sends a message again as the process that first sent it, with that process's password from the key file. Each
listing and each replay is audited as the queue's own service's event (``<service>.dead_letters_listed`` /
``dead_letters_replayed``), sent as that service: the audit service takes a service's events from it alone.
"""
from __future__ import annotations

import contextlib
from functools import partial

import click

from contactpoint.commands.common import Commands, operator, settings, show


@click.group("dead-letters", cls=Commands)
def dead_letters():
    """What a work queue could not handle and why, and sending it again (audited)."""


@dead_letters.command("list")
@click.argument("queue")
@click.option("--json", "as_json", is_flag=True)
def dead_letters_list(queue, as_json):
    """List the dead letters of QUEUE (a work queue, e.g. directory.child-updates, or its .dead queue) with each one's reason; all stay."""
    from shared.messaging import dead_letters as letters

    with _dead_letter_queue(queue) as (given, dead, connection):
        found = letters.listed(connection, dead)
    _audit(given, dead, "dead_letters_listed", message_ids=[letter.message_id for letter in found])
    show({"queue": dead, "dead_letters": [letter.as_dict() for letter in found]}, as_json, _lines)


@dead_letters.command("replay")
@click.argument("queue")
@click.option("--json", "as_json", is_flag=True)
def dead_letters_replay(queue, as_json):
    """Send every dead letter of QUEUE again to the exchange and routing key it first went to, as its first sender; a partner's stays."""
    from shared.messaging import dead_letters as letters

    with _dead_letter_queue(queue) as (given, dead, connection), _as_first_senders(given) as sender:
        done = letters.replay(connection, dead, sender)
    _audit(given, dead, "dead_letters_replayed", message_ids=done.replayed, kept=done.kept)
    show({"queue": dead, **done.as_dict()}, as_json, lambda r: [
        f"{len(r['replayed'])} sent again from {r['queue']}", *(f"kept {kept['message_id']}: {kept['why']}" for kept in r["kept"])])


@contextlib.contextmanager
def _dead_letter_queue(queue: str):
    """The settings, the dead-letter queue of QUEUE (or QUEUE, a dead-letter queue), and the administrator's connection to it."""
    from shared.messaging import dead_letters as letters
    from shared.messaging.connection import connect

    given = settings()
    dead = letters.dead_letter_queue_named(queue)
    with connect(given) as connection:
        yield given, dead, connection


@contextlib.contextmanager
def _as_first_senders(given):
    """A connection as each process that first sent a message (made when first needed); None for anyone else."""
    from shared.errors import ConfigurationError
    from shared.messaging.connection import connect

    opened = {}

    def sender(broker_user: str | None):
        process = given.names.process_of(broker_user)
        if process is None:
            return None
        if process not in opened:
            if not given.password("BROKER", process) and not given.embedded:
                raise ConfigurationError(f"CP_BROKER_PASSWORD_{process.upper()} not set: a replay is sent as {process}, "
                                         "with its password from the key file")
            opened[process] = connect(given.for_service(process))
        return opened[process]

    try:
        yield sender
    finally:
        for connection in opened.values():
            connection.release()


def _audit(given, queue: str, action: str, **detail) -> None:
    from shared.contracts.audit import audit_event, numbered
    from shared.messaging.connection import connect
    from shared.messaging.dead_letters import owner_of
    from shared.messaging.publisher import Publisher

    owner = owner_of(queue)
    publisher = Publisher(partial(connect, given.for_service(owner)))
    try:
        publisher.publish(numbered(audit_event(owner, action, actor=operator(), subject=queue, detail=detail)))
    finally:
        publisher.close()


def _lines(listing: dict) -> list[str]:
    lines = [f"{len(listing['dead_letters'])} in {listing['queue']}"]
    for letter in listing["dead_letters"]:
        reason = letter["reason"] or {}
        deaths = ", ".join(f"{d['reason']} from {d['queue']} x{d['count']}" for d in letter["deaths"])
        lines.append(f"{letter['message_id']}  {letter['exchange']} {letter['routing_key']}  sent by {letter['sent_by'] or '-'}")
        lines.append(f"    {reason.get('code', '-')}: {reason.get('message', '-')}" + (f"  ({deaths})" if deaths else ""))
    return lines
