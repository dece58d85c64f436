"""The database helpers every service shares: bulk writes, one-parameter IN, and sessions that only read."""
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from shared.db import ServiceDatabase, append_rows, insert_rows, one_of

METADATA = sa.MetaData(schema="db_helpers")
PEOPLE = sa.Table(
    "people", METADATA,
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(20)), sa.Column("born", sa.Date), sa.Column("facts", sa.JSON),
)
ROWS = [{"id": n, "name": f"name-{n}", "born": date(2015, 1, 1 + n), "facts": {"n": n, "tags": ["a", "é"]}} for n in range(10)]


@pytest.fixture
def session(settings):
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA IF NOT EXISTS db_helpers"))
    METADATA.drop_all(engine)
    METADATA.create_all(engine)
    with sa.orm.Session(engine) as session:
        yield session
    METADATA.drop_all(engine)
    engine.dispose()


def test_appended_rows_read_back_as_written(session):
    append_rows(session, PEOPLE, ROWS)
    append_rows(session, PEOPLE, [])
    session.commit()

    assert [row._asdict() for row in session.execute(sa.select(PEOPLE).order_by(PEOPLE.c.id))] == ROWS


def test_one_of_finds_exactly_the_values_given_however_many_each_time(session):
    append_rows(session, PEOPLE, ROWS)

    def ids(column, values):
        return session.scalars(sa.select(PEOPLE.c.id).where(one_of(column, values)).order_by(PEOPLE.c.id)).all()

    # The same statement again and again with other values: its cached form must not keep the first ones.
    assert ids(PEOPLE.c.name, ["name-1", "name-2"]) == [1, 2]
    assert ids(PEOPLE.c.name, ["name-7"]) == [7]
    assert ids(PEOPLE.c.name, {"name-3", "name-4", "name-9", "nobody"}) == [3, 4, 9]
    assert ids(PEOPLE.c.name, []) == []
    assert ids(PEOPLE.c.born, [date(2015, 1, 6)]) == [5]


def test_one_of_a_named_parameter_is_built_once_and_given_its_values_at_each_execution(session):
    append_rows(session, PEOPLE, ROWS)
    born_on = sa.select(PEOPLE.c.id).where(one_of(PEOPLE.c.born, parameter="days")).order_by(PEOPLE.c.id)

    assert session.scalars(born_on, {"days": [date(2015, 1, 2), date(2015, 1, 4)]}).all() == [1, 3]
    assert session.scalars(born_on, {"days": [date(2015, 1, 10)]}).all() == [9]
    assert session.scalars(born_on, {"days": []}).all() == []


def test_one_of_over_columns_finds_the_rows_whose_columns_match_one_of_the_tuples_together(session):
    append_rows(session, PEOPLE, ROWS)

    def ids(pairs):
        return session.scalars(sa.select(PEOPLE.c.id).where(one_of((PEOPLE.c.name, PEOPLE.c.born), pairs)).order_by(PEOPLE.c.id)).all()

    assert ids([("name-1", date(2015, 1, 2)), ("name-4", date(2015, 1, 5))]) == [1, 4]
    # Each value matches some row, but not together with the other value of its tuple.
    assert ids([("name-1", date(2015, 1, 5)), ("name-4", date(2015, 1, 2))]) == []
    assert ids([("name-8", date(2015, 1, 9))]) == [8]
    assert ids([]) == []


def test_inserted_rows_keep_to_the_statements_conflict_rule_and_return_what_it_returns(session):
    append_rows(session, PEOPLE, ROWS[:3])
    new_only = postgresql.insert(PEOPLE).on_conflict_do_nothing().returning(PEOPLE.c.id)

    added = insert_rows(session, new_only, [{"id": n, "name": f"again-{n}", "born": date(2016, 1, 1)} for n in (1, 2, 3, 4)]).scalars()

    assert sorted(added) == [3, 4]
    assert session.scalar(sa.select(PEOPLE.c.name).where(PEOPLE.c.id == 1)) == "name-1"
    upsert = postgresql.insert(PEOPLE)
    renamed = upsert.on_conflict_do_update(index_elements=[PEOPLE.c.id], set_={"name": PEOPLE.c.name + upsert.excluded.name})
    insert_rows(session, renamed, [{"id": 1, "name": "+1"}, {"id": 9, "name": "new"}])
    assert dict(session.execute(sa.select(PEOPLE.c.id, PEOPLE.c.name).where(PEOPLE.c.id.in_([1, 9]))).all()) == {1: "name-1+1", 9: "new"}


@pytest.fixture
def database(settings):
    database = ServiceDatabase(settings.database_url, "db_helpers")
    with database.engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA IF NOT EXISTS db_helpers"))
    METADATA.drop_all(database.engine)
    METADATA.create_all(database.engine)
    yield database
    METADATA.drop_all(database.engine)
    database.dispose()


def test_a_reading_session_sees_what_is_committed_and_leaves_its_connection_transactional_for_the_next(database):
    with database.sessions() as writer:
        append_rows(writer, PEOPLE, ROWS[:2])
        writer.commit()
    with database.readers() as reader:
        assert reader.scalars(sa.select(PEOPLE.c.id).order_by(PEOPLE.c.id)).all() == [0, 1]
        reader.commit()

    # The pool hands the same connection on: a writer that rolls back must still leave nothing behind.
    with database.sessions() as writer:
        append_rows(writer, PEOPLE, ROWS[2:])
        writer.rollback()
    with database.readers() as reader:
        assert reader.scalars(sa.select(sa.func.count()).select_from(PEOPLE)).one() == 2


def test_a_reading_session_plans_each_statement_once_and_a_writing_one_as_usual(database):
    with database.readers() as reader, database.sessions() as writer:
        assert reader.execute(sa.text("SHOW plan_cache_mode")).scalar() == "force_generic_plan"
        assert writer.execute(sa.text("SHOW plan_cache_mode")).scalar() == "auto"
