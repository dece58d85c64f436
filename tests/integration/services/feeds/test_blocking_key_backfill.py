"""Source records held before a kind of blocking key existed get its columns from the migration that brings it in."""
from datetime import date

import sqlalchemy as sa

from contactpoint.sandbox import isolated
from services.feeds.matching import birthday, name_sound
from shared.migrations import upgrade

HELD = [("rec-1", "smith", "amelia", date(2012, 3, 4)), ("rec-2", "macdonald", "", date(2016, 2, 29)),
        ("rec-3", "obrien", "sean", date(2008, 12, 31))]


def test_migrating_to_sound_alike_blocking_gives_every_held_record_its_names_sounds(servers):
    with isolated(servers) as settings:
        sounds = _after_upgrade_from(settings.database_url, "0005", ("family_sound", "given_sound"))
    assert sounds == {record_id: (name_sound(family), name_sound(given)) for record_id, family, given, _ in HELD}


def test_migrating_to_names_beside_the_year_or_birthday_gives_every_held_record_both(servers):
    with isolated(servers) as settings:
        dated = _after_upgrade_from(settings.database_url, "0006", ("birth_year", "birthday"))
    assert dated == {record_id: (born.year, birthday(born)) for record_id, _, _, born in HELD}


def _after_upgrade_from(database_url: str, revision: str, columns: tuple[str, ...]) -> dict[str, tuple]:
    """The ``columns`` of each record HELD at ``revision``, once upgraded to the newest."""
    upgrade(database_url, ("feeds",), revision=revision)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO feeds.sources (source_id, name, kinds, enabled) VALUES ('school', 'School', :kinds, true)"),
                               {"kinds": '["school"]'})
            connection.execute(sa.text("INSERT INTO feeds.children (contactpoint_id, version, shielded) VALUES ('CP-1', 1, false)"))
            connection.execute(sa.text(
                "INSERT INTO feeds.source_records (source_id, source_record_id, contactpoint_id, sequence, held, family_key, given_key,"
                " date_of_birth, message, received_at) VALUES ('school', :record_id, 'CP-1', 1, true, :family, :given, :born, '{}', now())"
            ), [{"record_id": record_id, "family": family, "given": given, "born": born} for record_id, family, given, born in HELD])
        upgrade(database_url, ("feeds",))
        with engine.connect() as connection:
            rows = connection.execute(sa.text(f"SELECT source_record_id, {', '.join(columns)} FROM feeds.source_records"))
            return {record_id: tuple(values) for record_id, *values in rows}
    finally:
        engine.dispose()
