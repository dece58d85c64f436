"""Each service's schema is made by its own Alembic history, migrating again changes nothing, and two migrations never run at once."""
import threading

import sqlalchemy as sa

from contactpoint.commands.system import migrate_all
from contactpoint.provisioning import one_migration_at_a_time
from shared.migrations import SERVICES_WITH_DATA


def _tables(settings) -> dict[str, set[str]]:
    engine = sa.create_engine(settings.database_url)
    try:
        inspector = sa.inspect(engine)
        return {schema: set(inspector.get_table_names(schema=schema)) for schema in SERVICES_WITH_DATA}
    finally:
        engine.dispose()


def test_every_service_has_its_own_schema_with_its_own_history(migrated):
    tables = _tables(migrated)

    for schema in SERVICES_WITH_DATA:
        assert {"alembic_version", "outbox", "processed_messages"} <= tables[schema]
    assert "users" in tables["identity"] and "children" in tables["directory"]
    assert "source_records" in tables["feeds"] and "events" in tables["audit"]


def test_migrating_again_changes_nothing(migrated):
    before = _tables(migrated)

    migrate_all(migrated)

    assert _tables(migrated) == before


def test_a_migration_waits_for_one_under_way(migrated):
    """As when ``up`` starts on two hosts together: each migrates, one after the other."""
    finished = threading.Event()
    second = threading.Thread(target=lambda: (migrate_all(migrated), finished.set()))

    with one_migration_at_a_time(migrated):
        second.start()
        assert not finished.wait(3)
    second.join(timeout=120)

    assert finished.is_set()
