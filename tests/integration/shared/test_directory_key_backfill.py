"""Children held before dated search keys existed get them from the migration that brings them in."""
import random

import sqlalchemy as sa

from contactpoint import synthetic
from contactpoint.sandbox import isolated
from services.directory.handlers import keys_of, row_of
from services.directory.models import Child, SearchKey
from shared.contracts.children import ChildMergedSchema
from shared.db import ServiceDatabase
from shared.migrations import upgrade


def test_migrating_to_dated_keys_gives_every_held_child_its_keys(servers):
    with isolated(servers) as settings:
        held, dated = _held_and_dated_after_upgrade(settings.database_url)
    assert dated and dated <= held


def test_the_demos_sqlite_files_migrate_the_same(tmp_path):
    held, dated = _held_and_dated_after_upgrade(f"sqlite:///{tmp_path}")
    assert dated and dated <= held


def _held_and_dated_after_upgrade(database_url: str) -> tuple[set, set]:
    upgrade(database_url, ("directory",), revision="0004")
    snapshots = [ChildMergedSchema().load(synthetic.merged_snapshot(child, random.Random(1))) for child in synthetic.population(30, seed=5)]
    directory = ServiceDatabase(database_url, "directory")
    with directory.sessions.begin() as session:
        for snapshot in snapshots:
            session.add(Child(**row_of(snapshot)))
    directory.dispose()

    upgrade(database_url, ("directory",))

    with directory.sessions() as session:
        held = {(key, cp_id) for key, cp_id in session.execute(sa.select(SearchKey.key, SearchKey.contactpoint_id))}
    directory.dispose()
    return held, {(key, s["contactpoint_id"]) for s in snapshots for key in keys_of(s) if key[:1].isdigit()}
