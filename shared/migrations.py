"""Alembic, once for every service: each service keeps its own history in its own schema.

A service's ``migrations/env.py`` calls ``run_migrations`` with its metadata; ``upgrade``
runs every service's history to head. An advisory lock lets two ``migrate`` runs meet safely.
"""
from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text

from shared.db import ServiceDatabase
from shared.principals import WITH_DATA

SERVICES_WITH_DATA = WITH_DATA
MIGRATION_LOCK = 7_200_002


def upgrade(database_url: str, services: tuple[str, ...] = SERVICES_WITH_DATA, revision: str = "head", schema_owner: str = "") -> None:
    """Runs each service's history to ``revision``; with ``schema_owner``, as that role, so that it owns what they make."""
    for service in services:
        config = Config()
        config.set_main_option("script_location", str(resources.files(f"services.{service}") / "migrations"))
        config.attributes["database_url"] = database_url
        config.attributes["schema_owner"] = schema_owner
        command.upgrade(config, revision)


def run_migrations(context, metadata: MetaData) -> None:
    database_url = context.config.attributes["database_url"]
    schema = metadata.schema
    database = ServiceDatabase(database_url, schema)
    try:
        with database.engine.connect() as connection:
            if owner := context.config.attributes.get("schema_owner"):
                connection.execute(text(f'SET ROLE "{owner}"'))
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.commit()
            context.configure(connection=connection, target_metadata=metadata, version_table_schema=schema)
            with context.begin_transaction():
                context.run_migrations()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
    finally:
        database.dispose()
