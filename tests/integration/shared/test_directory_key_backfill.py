"""Children held before a kind of search key existed get their keys from the migration that brings it in."""
import random
from importlib import resources


import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from contactpoint import synthetic
from contactpoint.sandbox import isolated
from services.directory.handlers import keys_of, row_of
from services.directory.key_backfill import codes
from services.directory.models import Child, SearchKey
from shared.contracts.children import ChildMergedSchema
from shared.db import ServiceDatabase
from shared.migrations import upgrade


def test_migrating_to_dated_keys_gives_every_held_child_its_keys(servers):
    with isolated(servers) as settings:
        held, dated = _held_and_dated_after_upgrade(settings.database_url)
    assert dated and dated <= held


def _held_and_dated_after_upgrade(database_url: str) -> tuple[set, set]:
    upgrade(database_url, ("directory",), revision="0004")
    snapshots = _snapshots()
    directory = _holding(database_url, snapshots)

    upgrade(database_url, ("directory",))

    return _keys_held(directory), {(key, s["contactpoint_id"]) for s in snapshots for key in keys_of(s) if key[:1].isdigit()}


def test_migrating_to_keys_of_two_names_by_district_replaces_those_of_every_held_child(servers):
    with isolated(servers) as settings:
        held, expected = _held_and_expected_after_district_upgrade(settings.database_url)
    assert held == expected


def _held_and_expected_after_district_upgrade(database_url: str) -> tuple[set, set]:
    upgrade(database_url, ("directory",), revision="0005")
    snapshots = _snapshots()
    expected = {(key, s["contactpoint_id"]) for s in snapshots for key in keys_of(s)}
    # As revision 0005 held them: keys of two names without the district (the dated keys are replaced later, by 0008).
    before = {(key if key[:1].isdigit() else key.split(":", 1)[1], cp_id) for key, cp_id in expected}
    directory = _holding(database_url, snapshots, before)

    upgrade(database_url, ("directory",))

    return _keys_held(directory), expected


def test_migrating_to_dated_keys_with_initials_replaces_the_dated_keys_of_every_held_child_and_back(servers):
    with isolated(servers) as settings:
        before, upgraded, expected, downgraded = _held_around_initials_upgrade(settings.database_url)
    assert upgraded == expected
    assert downgraded == before


def _held_around_initials_upgrade(database_url: str) -> tuple[set, set, set, set]:
    upgrade(database_url, ("directory",), revision="0007")
    snapshots = _snapshots()
    expected = {(key, s["contactpoint_id"]) for s in snapshots for key in keys_of(s)}
    # As revisions 0005 to 0007 held them: a date of birth with the sound of one name, ``<date>:<code>``.
    before = {(key, cp_id) for key, cp_id in expected if not key[:1].isdigit()} | {
        (f"{s['demographics']['date_of_birth'].isoformat()}:{code}", s["contactpoint_id"]) for s in snapshots
        for code in codes([s["demographics"]["family_name"], *s["demographics"]["former_family_names"], *s["demographics"]["given_names"]])}
    directory = _holding(database_url, snapshots, before)

    upgrade(database_url, ("directory",))
    upgraded = _keys_held(directory)
    config = Config()
    config.set_main_option("script_location", str(resources.files("services.directory") / "migrations"))
    config.attributes["database_url"] = database_url
    command.downgrade(config, "0007")
    return before, upgraded, expected, _keys_held(directory)


def _snapshots() -> list[dict]:
    return [ChildMergedSchema().load(synthetic.merged_snapshot(child, random.Random(1))) for child in synthetic.population(30, seed=5)]


def _holding(database_url: str, snapshots: list[dict], keys: set = frozenset()) -> ServiceDatabase:
    """The directory's database, holding these children and only the search keys given (as an earlier revision held them)."""
    directory = ServiceDatabase(database_url, "directory")
    with directory.sessions.begin() as session:
        for snapshot in snapshots:
            session.add(Child(**row_of(snapshot)))
        session.flush()
        session.add_all(SearchKey(key=key, contactpoint_id=cp_id) for key, cp_id in keys)
    directory.dispose()
    return directory


def _keys_held(directory: ServiceDatabase) -> set:
    with directory.sessions() as session:
        held = {(key, cp_id) for key, cp_id in session.execute(sa.select(SearchKey.key, SearchKey.contactpoint_id))}
    directory.dispose()
    return held
