"""Each service's own schema, and the unit of work that changes it.

On PostgreSQL every service has a schema of its own in one database. In embedded mode the
database URL names a folder and each service keeps one SQLite file there; the schema name is
translated away, so the same models and migrations serve both.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from sqlalchemy import BigInteger, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker

# SQLite only autoincrements an INTEGER PRIMARY KEY, so big keys are plain integers there.
BigId = BigInteger().with_variant(Integer, "sqlite")


def service_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base whose tables live in the service's own schema."""

    class Base(DeclarativeBase):
        metadata = MetaData(
            schema=schema,
            naming_convention={
                "ix": "ix_%(table_name)s_%(column_0_N_name)s",
                "uq": "uq_%(table_name)s_%(column_0_N_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            },
        )

    return Base


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def make_engine(database_url: str, schema: str) -> Engine:
    if is_sqlite(database_url):
        folder = Path(make_url(database_url).database or ".contactpoint")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{schema}.db"
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", partial(_sqlite_pragmas, path=path, schema=schema))
        return engine.execution_options(schema_translate_map={schema: None})
    return create_engine(database_url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record, *, path: Path, schema: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The file again under the service's schema name, so that SQL naming the schema (Alembic's
    # ALTER TABLE, which the schema translation does not reach) finds the same tables.
    cursor.execute("ATTACH DATABASE ? AS ?", (str(path), schema))
    cursor.close()


class ServiceDatabase:
    """A service's engine and session factory, made once in its bootstrap."""

    def __init__(self, database_url: str, schema: str):
        self.url = database_url
        self.schema = schema
        self.engine = make_engine(database_url, schema)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
