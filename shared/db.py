"""Each service's own schema, and the unit of work that changes it.

Every service has a schema of its own in one PostgreSQL database (the demo's too: it starts a
server of its own).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from psycopg.types.json import Json
from sqlalchemy import JSON, Boolean, MetaData, Table, bindparam, create_engine, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine, Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


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


def make_engine(database_url: str, schema: str, reads_only: bool = False) -> Engine:
    """The engine of a service's schema; ``reads_only``, one whose connections only read (see ``ServiceDatabase.readers``)."""
    # No ping before each checkout: a round trip every unit of work. A connection the server has
    # dropped fails its first statement, is discarded, and the consumer tries the message again.
    reading = {"connect_args": {"options": PLANNED_ONCE}, **READING} if reads_only else {}
    return create_engine(database_url, pool_size=10, max_overflow=20, json_serializer=json_text, **reading)


def _iso(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


# A JSON column takes a value as it was loaded, its dates and times parsed, and keeps them as ISO text. One encoder for
# every value: ``json.dumps`` given a ``default`` makes an encoder a call, about a fifth of encoding a small value.
json_text = json.JSONEncoder(default=_iso).encode


# Sessions that only read run each statement on its own, with no BEGIN and COMMIT round trips around it.
READING = {"isolation_level": "AUTOCOMMIT"}
# Their statements (a service's hot lookups, each of one shape) are planned once a connection and the plan reused,
# where PostgreSQL would plan afresh for each new value: planning a search cost more than running it.
PLANNED_ONCE = "-c plan_cache_mode=force_generic_plan"


class one_of(ColumnElement[bool]):
    """``column IN values`` sent as one parameter however many the values: ``= ANY(array)``.

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
    """An array parameter given any collection of values (a set, a tuple): bound as the list the driver makes an array of."""

    impl = ARRAY
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return list(value)


@compiles(one_of)
def _one_of_as_any(element: one_of, compiler, **kw) -> str:
    if len(element.columns) == 1:
        return f"{compiler.process(element.columns[0], **kw)} = ANY({compiler.process(element.arrays[0], **kw)})"
    return f"({_listed(element.columns, compiler, **kw)}) IN (SELECT * FROM unnest({_listed(element.arrays, compiler, **kw)}))"


def _listed(elements, compiler, **kw) -> str:
    return ", ".join(compiler.process(element, **kw) for element in elements)


def insert_rows(session: Session, statement: Insert, rows: list[dict]) -> Result:
    """Runs an INSERT (with whatever ON CONFLICT and RETURNING it carries) for many rows, all with the same columns.

    As one statement over ``unnest`` of one array a column, where an executemany would run the
    INSERT once a row.
    """
    names = list(rows[0])
    columns = statement.table.c
    arrays = func.unnest(*(bindparam(None, [row[name] for row in rows], type_=ARRAY(columns[name].type)) for name in names))
    return session.execute(statement.from_select(names, select(arrays.table_valued(*names).render_derived())))


def append_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Inserts new rows, all with the same columns, in the session's transaction.

    By COPY: for a batch of hundreds it costs both sides a fraction of an INSERT.
    """
    if not rows:
        return
    connection = session.connection()
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    quote = connection.dialect.identifier_preparer.quote
    # COPY is written here, not compiled: it names the schema as the engine's translation map would.
    schema = connection.get_execution_options().get("schema_translate_map", {}).get(table.schema, table.schema)
    statement = f"COPY {quote(schema)}.{quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([Json(row[name], dumps=json_text) if name in as_json else row[name] for name in names])


class ServiceDatabase:
    """A service's engine and session factory, made once in its bootstrap."""

    def __init__(self, database_url: str, schema: str, replica_url: str = ""):
        self.url = database_url
        self.schema = schema
        self.engine = make_engine(database_url, schema)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Sessions that only read may read a hot standby: it takes their load off the primary.
        self.reading_engine = make_engine(replica_url or database_url, schema, reads_only=True)
        self.readers = sessionmaker(self.reading_engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
        self.reading_engine.dispose()
