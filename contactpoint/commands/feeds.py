"""`contactpoint feeds`: sending records as a partner system would."""
from __future__ import annotations

from pathlib import Path

import click

from contactpoint.commands.common import settings


@click.group()
def feeds():
    """Sending records as a partner system would."""


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
