"""Each service's own schema, and the unit of work that changes it.

On PostgreSQL every service has a schema of its own in one database. In embedded mode the
database URL names a folder and each service keeps one SQLite file there; the schema name is
translated away, so the same models and migrations serve both.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from psycopg.types.json import Json
from sqlalchemy import JSON, BigInteger, Boolean, Integer, MetaData, String, Table, bindparam, create_engine, event, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine, Result, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine

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


def make_engine(database_url: str, schema: str, reads_only: bool = False) -> Engine:
    """The engine of a service's schema; ``reads_only``, one whose connections only read (see ``ServiceDatabase.readers``)."""
    if is_sqlite(database_url):
        folder = Path(make_url(database_url).database or ".contactpoint")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{schema}.db"
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", partial(_sqlite_pragmas, path=path, schema=schema))
        return engine.execution_options(schema_translate_map={schema: None}, **(READING if reads_only else {}))
    # No ping before each checkout: a round trip every unit of work. A connection the server has
    # dropped fails its first statement, is discarded, and the consumer tries the message again.
    reading = {"connect_args": {"options": PLANNED_ONCE}, **READING} if reads_only else {}
    return create_engine(database_url, pool_size=10, max_overflow=20, **reading)


# Sessions that only read run each statement on its own, with no BEGIN and COMMIT round trips around it.
READING = {"isolation_level": "AUTOCOMMIT"}
# Their statements (a service's hot lookups, each of one shape) are planned once a connection and the plan reused,
# where PostgreSQL would plan afresh for each new value: planning a search cost more than running it.
PLANNED_ONCE = "-c plan_cache_mode=force_generic_plan"


def _sqlite_pragmas(dbapi_connection, _record, *, path: Path, schema: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The file again under the service's schema name, so that SQL naming the schema (Alembic's
    # ALTER TABLE, which the schema translation does not reach) finds the same tables.
    cursor.execute("ATTACH DATABASE ? AS ?", (str(path), schema))
    cursor.close()


class one_of(ColumnElement[bool]):
    """``column IN values`` sent as one parameter however many the values: ``= ANY(array)`` on PostgreSQL.

    An IN of hundreds of values is a statement of hundreds of parameters, new to the driver's
    cache and the server's plans at every length; one array parameter keeps it one statement.
    Given a tuple of columns, ``(a, b) IN rows`` of tuples: one array a column, read back together
    by ``unnest``.
    """

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("columns", InternalTraversal.dp_clauseelement_tuple), ("arrays", InternalTraversal.dp_clauseelement_tuple)]

    def __init__(self, columns, values: Iterable = (), *, parameter: str | None = None):
        """Where ``parameter`` names a parameter (of one column), the values are given to it at execution
        instead: a statement built once that way is compiled once."""
        if parameter:
            self.columns, self.arrays = (columns,), (bindparam(parameter, type_=_ValueList(columns.type)),)
            return
        rows = list(values)
        if isinstance(columns, tuple):
            self.columns, arrays = columns, [[row[n] for row in rows] for n in range(len(columns))]
        else:
            self.columns, arrays = (columns,), [rows]
        self.arrays = tuple(bindparam(None, array, type_=_ValueList(column.type)) for column, array in zip(self.columns, arrays))


class _ValueList(TypeDecorator):
    """A list bound as an array on PostgreSQL and as JSON text elsewhere (SQLite reads it with ``json_each``)."""

    impl = String
    cache_ok = True

    def __init__(self, item_type: TypeEngine):
        super().__init__()
        self.item_type = item_type

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(ARRAY(self.item_type) if dialect.name == "postgresql" else String())

    def process_bind_param(self, value, dialect):
        return list(value) if dialect.name == "postgresql" else json.dumps(list(value), default=str)


@compiles(one_of, "postgresql")
def _one_of_as_any(element: one_of, compiler, **kw) -> str:
    if len(element.columns) == 1:
        return f"{compiler.process(element.columns[0], **kw)} = ANY({compiler.process(element.arrays[0], **kw)})"
    return f"({_listed(element.columns, compiler, **kw)}) IN (SELECT * FROM unnest({_listed(element.arrays, compiler, **kw)}))"


@compiles(one_of)
def _one_of_as_json_each(element: one_of, compiler, **kw) -> str:
    if len(element.columns) == 1:
        return f"{compiler.process(element.columns[0], **kw)} IN (SELECT value FROM json_each({compiler.process(element.arrays[0], **kw)}))"
    # The n-th values of the arrays make the n-th row.
    arrays = [f"json_each({compiler.process(array, **kw)}) AS v{n}" for n, array in enumerate(element.arrays)]
    joined = " JOIN ".join(arrays[:1] + [f"{array} ON v{n}.key = v0.key" for n, array in enumerate(arrays[1:], start=1)])
    values = ", ".join(f"v{n}.value" for n in range(len(arrays)))
    return f"({_listed(element.columns, compiler, **kw)}) IN (SELECT {values} FROM {joined})"


def _listed(elements, compiler, **kw) -> str:
    return ", ".join(compiler.process(element, **kw) for element in elements)


def insert_rows(session: Session, statement: Insert, rows: list[dict]) -> Result:
    """Runs an INSERT (with whatever ON CONFLICT and RETURNING it carries) for many rows, all with the same columns.

    On PostgreSQL as one statement over ``unnest`` of one array a column, where an executemany
    would run the INSERT once a row.
    """
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(statement, rows)
    names = list(rows[0])
    columns = statement.table.c
    arrays = func.unnest(*(bindparam(None, [row[name] for row in rows], type_=ARRAY(columns[name].type)) for name in names))
    return session.execute(statement.from_select(names, select(arrays.table_valued(*names).render_derived())))


def append_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Inserts new rows, all with the same columns, in the session's transaction.

    On PostgreSQL by COPY: for a batch of hundreds it costs both sides a fraction of an INSERT.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.schema)}.{quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([Json(row[name]) if name in as_json else row[name] for name in names])


class ServiceDatabase:
    """A service's engine and session factory, made once in its bootstrap."""

    def __init__(self, database_url: str, schema: str):
        self.url = database_url
        self.schema = schema
        self.engine = make_engine(database_url, schema)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.reading_engine = make_engine(database_url, schema, reads_only=True)
        self.readers = sessionmaker(self.reading_engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
        self.reading_engine.dispose()
