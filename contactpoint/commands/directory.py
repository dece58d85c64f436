"""`contactpoint directory`: the children ContactPoint holds, for reconciling them with what the sources hold.

The export is read from the feeds service a page at a time and written as it comes, so a
national directory never sits in memory. It is written beside FILE and moved into place only
once complete: a half-written export never looks like a whole one.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click

from contactpoint.commands.common import Commands, operator, service, show


@click.group(cls=Commands)
def directory():
    """The children ContactPoint holds."""


@directory.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def directory_export(file, as_json):
    """Write every child to FILE as JSON Lines: its current details and the source records linked to it."""
    written = {"children": 0, "source_records": 0, "file": str(file)}
    partial_file = file.with_name(file.name + ".partial")
    try:
        out = partial_file.open("w")
    except OSError as exc:
        raise click.FileError(str(file), hint=exc.strerror) from exc
    try:
        with out, contextlib.closing(service("feeds")) as feeds:
            for child in _children(feeds, operator()):
                out.write(json.dumps(child, separators=(",", ":")) + "\n")
                written["children"] += 1
                written["source_records"] += len(child["source_records"])
        os.replace(partial_file, file)
    finally:
        partial_file.unlink(missing_ok=True)
    show(written, as_json, lambda w: [
        f"wrote {w['children']:,} children and {w['source_records']:,} source records to {file}; the export is audited"])


def _children(feeds, actor: dict) -> Iterator[dict]:
    """Every exported child, page after page, with a progress bar on stderr."""
    from tqdm import tqdm

    from shared.contracts.requests import EXPORT_CHILDREN

    page = feeds.perform(EXPORT_CHILDREN, {"actor": actor})
    with tqdm(total=page["total"], unit="child", desc="exported") as progress:
        while True:
            yield from page["children"]
            progress.update(len(page["children"]))
            if page["next_after"] is None:
                return
            page = feeds.perform(EXPORT_CHILDREN, {"after": page["next_after"], "actor": actor})
