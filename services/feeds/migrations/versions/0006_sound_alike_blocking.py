"""Source records are found by how their names sound as well as by how they are written: a slip of the keys in a name
(``Clrake``) no longer keeps a record from those of its child.

The blocking indexes of a name beside the birth date are on the name's Soundex code, worked out here for the records held.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from jellyfish import soundex

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "feeds"
SPELT = (("family_key", "date_of_birth"), ("given_key", "date_of_birth"))
SOUNDING = (("family_sound", "date_of_birth"), ("given_sound", "date_of_birth"))


def _index(pair: tuple[str, str]) -> str:
    return f"ix_source_records_{pair[0]}_{pair[1].replace('date_of_birth', 'dob')}"


def upgrade() -> None:
    for column in ("family_sound", "given_sound"):
        op.add_column("source_records", sa.Column(column, sa.String(10), nullable=False, server_default=""), schema=SCHEMA)
    connection = op.get_bind()
    keys = connection.execute(sa.text(f"SELECT family_key FROM {SCHEMA}.source_records UNION SELECT given_key FROM {SCHEMA}.source_records"))
    sounds = [{"key": key, "sound": soundex(key)} for key in keys.scalars() if key]
    connection.execute(sa.text("CREATE TEMPORARY TABLE name_sounds (key text PRIMARY KEY, sound text NOT NULL) ON COMMIT DROP"))
    if sounds:
        connection.execute(sa.text("INSERT INTO name_sounds (key, sound) VALUES (:key, :sound)"), sounds)
    for name in ("family", "given"):
        connection.execute(sa.text(f"UPDATE {SCHEMA}.source_records AS record SET {name}_sound = sounds.sound FROM name_sounds AS sounds"
                                   f" WHERE record.{name}_key = sounds.key"))
    for pair in SOUNDING:
        op.create_index(_index(pair), "source_records", list(pair), schema=SCHEMA)
    for pair in SPELT:
        op.drop_index(_index(pair), "source_records", schema=SCHEMA)


def downgrade() -> None:
    for pair in SPELT:
        op.create_index(_index(pair), "source_records", list(pair), schema=SCHEMA)
    for pair in SOUNDING:
        op.drop_index(_index(pair), "source_records", schema=SCHEMA)
    for column in ("family_sound", "given_sound"):
        op.drop_column("source_records", column, schema=SCHEMA)
