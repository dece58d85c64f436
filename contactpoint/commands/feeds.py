"""`contactpoint feeds`: sending records as a partner system would, sending the children held again, and the linkage model
matching scores with: trained on the records held, put in force, shown.

A republish goes a page at a time, each page its own transaction, so a national directory is
never locked at once. A run stopped part way is simply run again: a child sent twice is
only one version newer still.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from contactpoint.commands.common import Commands, operator, secret, secret_lines, service, settings, show
from shared.contracts.requests import LINKAGE_ACCURACY, SHOW_LINKAGE_MODEL, USE_LINKAGE_MODEL
from shared.messaging.envelope import utcnow


@click.group(cls=Commands)
def feeds():
    """Sending records as a partner system would, sending the children held again, and the linkage model."""


@feeds.command("publish")
@click.option("--source", "source_id", required=True)
@click.option("--password-file", type=click.File("r"),
              help="a file (or - for standard input) whose first line is the source's broker password (else CP_SOURCE_PASSWORD, else asked for)")
@click.argument("file", type=click.Path(path_type=Path))
def feeds_publish(source_id, password_file, file):
    """Publish each record of a CSV or JSON Lines FILE as a feed message, as the source."""
    from tqdm import tqdm

    from contactpoint import partner

    config = settings()
    records = list(partner.read_records(file))
    lines = secret_lines(password_file)
    password = "" if config.embedded else secret("the source's broker password", "CP_SOURCE_PASSWORD", lines[0] if lines else None)
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


@feeds.command("train")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="the model file to write")
@click.option("--use", "use", is_flag=True, help="put the model in force once written")
@click.option("--json", "as_json", is_flag=True)
def feeds_train(out, use, as_json):
    """Estimate the linkage model from the records held (Splink on DuckDB, on an export of them) and write it to a versioned file."""
    from services.feeds import linkage_model, training

    actor = operator()
    with contextlib.closing(service("feeds")) as feeds_service:
        records = _held_records(feeds_service)
        if len(records) < MIN_RECORDS_TO_TRAIN:
            raise click.ClickException(f"{len(records):,} records are held: too few to train on (at least {MIN_RECORDS_TO_TRAIN:,})")
        model = training.train(records, trained_by=actor["username"], version=f"trained-{utcnow():%Y%m%dT%H%M%SZ}")
        out.write_text(linkage_model.dumps(model))
        shown = feeds_service.perform(USE_LINKAGE_MODEL, {"model": out.read_text(), "actor": actor}) if use else model.describe()
    show({**shown, "file": str(out)}, as_json, lambda m: [f"wrote {m['version']} to {m['file']}, trained on {m['trained_on']:,} records",
                                                          *(_described(m) if use else ["not in force: give it to `feeds model --use`"])])


@feeds.command("model")
@click.option("--use", "use", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="a model file to put in force")
@click.option("--json", "as_json", is_flag=True)
def feeds_model(use, as_json):
    """Show the linkage model in force: its version, who trained it and on how many records; with --use FILE, put that one in force."""
    with contextlib.closing(service("feeds")) as feeds_service:
        request = {"model": use.read_text()} if use else {}
        shown = feeds_service.perform(USE_LINKAGE_MODEL if use else SHOW_LINKAGE_MODEL, {**request, "actor": operator()})
    show(shown, as_json, _described)


@feeds.command("accuracy")
@click.option("--json", "as_json", is_flag=True)
def feeds_accuracy(as_json):
    """Estimate the precision and recall of the linkage model in force from the pairs people linked or separated in review."""
    with contextlib.closing(service("feeds")) as feeds_service:
        estimated = feeds_service.perform(LINKAGE_ACCURACY, {"actor": operator()})
    show(estimated, as_json, _accuracy_lines)


def _accuracy_lines(estimated: dict) -> list[str]:
    def figure(name: str) -> str:
        found = estimated[name]
        if found["estimate"] is None:
            return f"{name}: no figure yet ({found['of']} pairs to judge by)"
        low, high = found["interval_95"]
        return f"{name} {found['estimate']:.4f} (95% interval {low:.4f} to {high:.4f}; {found['hits']} of {found['of']})"

    return [f"linkage model {estimated['model_version']}, judged by {estimated['labelled_pairs']:,} pairs people decided in review "
            f"({estimated['same_child']:,} of them one child)", figure("precision"), figure("recall")]


# Fewer records than this hold too few pairs of one child for expectation–maximisation to learn from.
MIN_RECORDS_TO_TRAIN = 1000


def _held_records(feeds_service) -> list:
    """Every record held, as matching describes it: the export Splink trains on."""
    from sqlalchemy import select

    from services.feeds.matching import Described
    from services.feeds.models import SourceRecord

    with feeds_service.db.sessions() as session:
        return [Described.of(message["child"]) for message in session.scalars(select(SourceRecord.message).where(SourceRecord.held))]


def _described(model: dict) -> list[str]:
    trained = f"trained by {model['trained_by']} on {model['trained_on']:,} records at {model['trained_at']}" if model["trained_by"] else "hand-set"
    in_force = f"in force since {model['put_in_force_at']}, put by {model['put_in_force_by']}" if model.get("put_in_force_by") else "the default"
    return [f"linkage model {model['version']}: {trained}; {in_force}",
            f"link at {model['link_at']}, review from {model['review_from']}; term frequencies: "
            + (", ".join(f"{name} {count:,} values" for name, count in model["term_frequencies"].items()) or "none"),
            *(f"  {comparison}: " + ", ".join(f"{level} {weight:+.2f}" for level, weight in levels.items())
              for comparison, levels in model["weights"].items())]
