"""`contactpoint feeds`: sending records as a partner system would, and sending the children held again.

A republish goes a page at a time, each page its own transaction, so a national directory is
never locked at once. A run stopped part way is simply run again: a child sent twice is
only one version newer still.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from contactpoint.commands.common import Commands, operator, service, settings, show


@click.group(cls=Commands)
def feeds():
    """Sending records as a partner system would, and sending the children held again."""


@feeds.command("publish")
@click.option("--source", "source_id", required=True)
@click.option("--password", envvar="CP_SOURCE_PASSWORD", help="the source's broker password (or CP_SOURCE_PASSWORD)")
@click.argument("file", type=click.Path(path_type=Path))
def feeds_publish(source_id, password, file):
    """Publish each record of a CSV or JSON Lines FILE as a feed message, as the source."""
    from tqdm import tqdm

    from contactpoint import partner

    config = settings()
    if not config.embedded and not password:
        raise click.UsageError("give the source's broker password with --password or CP_SOURCE_PASSWORD")
    records = list(partner.read_records(file))
    with partner.source_connection(config.amqp_url, source_id, password or "") as connection:
        connection.ensure_connection(max_retries=2)
        for _ in tqdm(partner.publish(connection, ((source_id, record) for record in records)), total=len(records), unit="msg", desc="published"):
            pass
    click.echo(f"published {len(records)} messages as {source_id}; feedback waits in cp.feedback.{source_id}")


@feeds.command("republish")
@click.option("--json", "as_json", is_flag=True)
def feeds_republish(as_json):
    """Send every child's snapshot again, one version newer, so the services that keep copies hold it as the contract now shapes it."""
    with contextlib.closing(service("feeds")) as feeds_service:
        republished = {"republished": sum(_pages(feeds_service, operator()))}
    show(republished, as_json, lambda r: [f"republished {r['republished']:,} children; each page is audited"])


def _pages(feeds_service, actor: dict) -> Iterator[int]:
    """How many children each page republished, page after page, with a progress bar on stderr; ``perform`` sends each page's
    snapshots once it is committed."""
    from tqdm import tqdm

    from shared.contracts.requests import REPUBLISH_CHILDREN

    after = None
    with tqdm(unit="child", desc="republished") as progress:
        while True:
            page = feeds_service.perform(REPUBLISH_CHILDREN, {"after": after, "actor": actor})
            progress.update(page["republished"])
            yield page["republished"]
            after = page["next_after"]
            if after is None:
                return
