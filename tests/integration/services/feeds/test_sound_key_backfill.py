"""Source records held before records were found by how their names sound get those sounds from the migration that brings them in."""
import sqlalchemy as sa

from contactpoint.sandbox import isolated
from services.feeds.matching import name_sound
from shared.migrations import upgrade

HELD = [("rec-1", "smith", "amelia"), ("rec-2", "macdonald", ""), ("rec-3", "obrien", "sean")]


def test_migrating_to_sound_alike_blocking_gives_every_held_record_its_names_sounds(servers):
    with isolated(servers) as settings:
        sounds = _sounds_after_upgrade(settings.database_url)
    assert sounds == {record_id: (name_sound(family), name_sound(given)) for record_id, family, given in HELD}


def _sounds_after_upgrade(database_url: str) -> dict[str, tuple[str, str]]:
    upgrade(database_url, ("feeds",), revision="0005")
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO feeds.sources (source_id, name, kinds, enabled) VALUES ('school', 'School', :kinds, true)"),
                               {"kinds": '["school"]'})
            connection.execute(sa.text("INSERT INTO feeds.children (contactpoint_id, version, shielded) VALUES ('CP-1', 1, false)"))
            connection.execute(sa.text(
                "INSERT INTO feeds.source_records (source_id, source_record_id, contactpoint_id, sequence, held, family_key, given_key,"
                " date_of_birth, message, received_at) VALUES ('school', :record_id, 'CP-1', 1, true, :family, :given, '2012-03-04', '{}', now())"
            ), [{"record_id": record_id, "family": family, "given": given} for record_id, family, given in HELD])
        upgrade(database_url, ("feeds",))
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT source_record_id, family_sound, given_sound FROM feeds.source_records"))
            return {record_id: (family, given) for record_id, family, given in rows}
    finally:
        engine.dispose()
