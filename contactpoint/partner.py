"""What a partner system does: publish its records as feed messages, as its own broker user.

Used by ``contactpoint feeds publish`` and by the demo to seed its population.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from kombu import Connection

from shared.contracts.feeds import NO_INVOLVEMENT, SCHEMA_NAME
from shared.errors import InvalidRequest
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.topology import FEEDS
from shared.settings import with_login

CONFIRMED_CHUNK = 200


def source_connection(amqp_url: str, source_id: str, password: str) -> Connection:
    """The broker as the source: its own user in place of the URL's."""
    own = ";".join(with_login(url, source_id, password) for url in amqp_url.split(";"))  # each node of a cluster
    return Connection(own, transport_options={"confirm_publish": True}, connect_timeout=5)


def feed_envelope(source_id: str, message: dict) -> Envelope:
    involvement = message.get("involvement") or {}
    kind = involvement.get("service") or NO_INVOLVEMENT
    return Envelope(
        exchange=FEEDS.name, routing_key=f"{source_id}.{kind}", body=message,
        type=SCHEMA_NAME, user_id=source_id,
    )


def publish(connection: Connection, messages: Iterable[tuple[str, dict]]) -> Iterator[Envelope]:
    """Publishes each (source_id, message), yielding each once the broker has confirmed it (for progress).

    Messages go in chunks, each confirmed as a whole, rather than one round trip a message.
    """
    publisher = Publisher(lambda: connection)
    pending = iter(messages)
    while chunk := list(islice(pending, CONFIRMED_CHUNK)):
        envelopes = [feed_envelope(source_id, message) for source_id, message in chunk]
        publisher.publish(*envelopes)
        yield from envelopes


def read_records(path: Path) -> Iterator[dict]:
    """Feed messages from JSON Lines, or from CSV whose columns name fields with dots.

    CSV columns are paths such as ``child.family_name`` or ``involvement.practitioner.name``;
    ``carer.*`` describes one carer, and list columns separate their items with ``;``.
    """
    if not path.is_file():
        raise InvalidRequest(f"{path} is not a readable file")
    with path.open(newline="") as lines:
        if path.suffix.lower() == ".csv":
            for row_number, row in enumerate(csv.DictReader(lines), start=2):
                yield _from_columns(row, row_number)
            return
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise InvalidRequest(f"{path}:{line_number} is not JSON ({exc.msg})") from exc


LIST_COLUMNS = {"child.given_names", "child.former_family_names", "child.address.lines"}


def _from_columns(row: dict, row_number: int) -> dict:
    message: dict = {"schema": SCHEMA_NAME, "action": "upsert"}
    for column, value in row.items():
        if value in (None, ""):
            continue
        if column in LIST_COLUMNS:
            value = [part.strip() for part in value.split(";")]
        elif column == "sequence":
            value = int(value)
        elif value.lower() in ("true", "false"):
            value = value.lower() == "true"
        *parents, leaf = column.split(".")
        target = message
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    message["carers"] = [message.pop("carer")] if "carer" in message else []
    return message
