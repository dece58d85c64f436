"""Every process's own identity on every server: made (or brought up to date) by ``migrate``, removed by ``teardown``.

Run with an administrator's credentials, which no running service holds:
- RabbitMQ: a user ``<prefix>cp-<process>`` for each process, with the permissions
  ``shared/messaging/permissions.py`` gives it on the deployment's vhost;
- PostgreSQL: a role ``<prefix>cp_owner`` that owns every schema, table and trigger (no one
  logs in as it: ``migrate`` acts as it), and a login role ``<prefix>cp_<service>`` for each
  service that may read and write its own schema alone, and owns nothing; the audit store's
  append-only tables take no UPDATE or DELETE even from the audit service;
- Redis: an ACL user ``<prefix>cp-<process>`` for each process that uses it; identity keeps
  sessions and sign-in counts, every other one may only read and renew a session.
Each step is idempotent: a second run sets the same passwords and rights again.
"""
from __future__ import annotations

import contextlib
from importlib import import_module

import psycopg
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

from shared import principals
from shared.broker_admin import BrokerAdmin
from shared.messaging import permissions
from shared.settings import Settings

# What a service that checks sessions may do in Redis: read a session and restart its idle clock, nothing else.
SESSION_CHECKING = ("+getex", "~cp:session:*")
# Identity keeps sessions and sign-in counts; nothing that reads or changes the server itself.
SESSION_KEEPING = ("+@read", "+@write", "+multi", "+exec", "+discard", "-@dangerous", "~cp:*")
# What any client does on connecting: choose its database, check the server answers. (A client naming its library with
# CLIENT SETINFO is refused and carries on: that command gives access to CLIENT's other, dangerous, subcommands.)
CONNECTING = ("+select", "+ping")


def provision(settings: Settings) -> None:
    """Makes every process's users, roles and rights on the three servers; does nothing for the demo's in-process stand-ins."""
    if settings.embedded:
        return
    _provision_broker(settings)
    _provision_database(settings)
    _provision_redis(settings)


# The advisory lock that migrating holds (any number of the database's own choosing; migrate alone takes it).
MIGRATION_LOCK = 0xC07AC7


@contextlib.contextmanager
def one_migration_at_a_time(settings: Settings):
    """Held while migrating: ``up`` started on two hosts at once would otherwise alter the same roles and grant on the
    same schemas together, and PostgreSQL refuses one of them ("tuple concurrently updated")."""
    if settings.embedded:
        yield
        return
    with _admin_connection(settings) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def remove(settings: Settings) -> list[str]:
    """Removes every user and role ``provision`` made under the settings' prefix; returns what it removed."""
    if settings.embedded:
        return []
    return [*_remove_broker_users(settings), *_remove_database_roles(settings), *_remove_redis_users(settings)]


def _processes_with(settings: Settings, server: str, processes: tuple[str, ...]) -> list[tuple[str, str]]:
    """The processes given a password for this server, each with its password; one without is not provisioned."""
    return [(process, password) for process in processes if (password := settings.password(server, process))]


def _provision_broker(settings: Settings) -> None:
    admin = BrokerAdmin.for_settings(settings)
    for process, password in _processes_with(settings, "BROKER", principals.PROCESSES):
        user = settings.names.broker_user(process)
        allowed = permissions.for_process(process)
        admin.create_user(user, password, tags="administrator" if process in principals.WITH_BROKER_ADMINISTRATION else "")
        admin.grant(user, configure=allowed.configure, write=allowed.write, read=allowed.read)
        for exchange, routing_keys in allowed.topics.items():
            admin.grant_topic(user, exchange, write=routing_keys, read=allowed.binds.get(exchange, permissions.NOTHING))


def _remove_broker_users(settings: Settings) -> list[str]:
    admin = BrokerAdmin.for_settings(settings)
    ours = {settings.names.broker_user(process) for process in principals.PROCESSES}
    removed = sorted(ours & set(admin.users()))
    for user in removed:
        admin.delete_user(user)
    return removed


def _admin_connection(settings: Settings) -> psycopg.Connection:
    url = make_url(settings.database_url).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _provision_database(settings: Settings) -> None:
    names = settings.names
    with _admin_connection(settings) as connection:
        database = connection.execute("SELECT current_database()").fetchone()[0]
        _ensure_role(connection, names.schema_owner, login=False)
        connection.execute(sql.SQL("GRANT CREATE, CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(names.schema_owner)))
        for service, password in _processes_with(settings, "DB", principals.WITH_DATA):
            role = names.database_role(service)
            _ensure_role(connection, role, login=True, password=password)
            connection.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(role)))


def grant_own_schemas(settings: Settings) -> None:
    """After the migrations: each service's role may use its own schema's tables and sequences, and no other's."""
    if settings.embedded:
        return
    names = settings.names
    with _admin_connection(settings) as connection:
        present = {name for (name,) in connection.execute("SELECT nspname FROM pg_namespace")}
        for service, _ in _processes_with(settings, "DB", principals.WITH_DATA):
            if service not in present:  # a database that holds some services' schemas only
                continue
            role, schema = sql.Identifier(names.database_role(service)), sql.Identifier(service)
            connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
            connection.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role))
            connection.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role))
            for table in _append_only(service):
                connection.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {}.{} FROM {}").format(schema, sql.Identifier(table), role))


def _append_only(service: str) -> tuple[str, ...]:
    """The tables a service may add rows to but never change: ``APPEND_ONLY`` in its models, where it has any."""
    return getattr(import_module(f"services.{service}.models"), "APPEND_ONLY", ())


def _ensure_role(connection: psycopg.Connection, role: str, *, login: bool, password: str | None = None) -> None:
    exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    options = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if login else sql.SQL("NOLOGIN")
    connection.execute(sql.SQL("{} ROLE {} {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS").format(
        sql.SQL(verb), sql.Identifier(role), options))


def _remove_database_roles(settings: Settings) -> list[str]:
    names = settings.names
    ours = [names.database_role(service) for service in principals.WITH_DATA] + [names.schema_owner]
    removed = []
    with _admin_connection(settings) as connection:
        for role in ours:
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                # The data stays, owned by the administrator; then the role's rights in this database go, and the role.
                connection.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(sql.Identifier(role)))
                connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
                removed.append(role)
    return removed


@contextlib.contextmanager
def _redis_admin(settings: Settings):
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5)
    try:
        yield client
    finally:
        client.close()


def _provision_redis(settings: Settings) -> None:
    with _redis_admin(settings) as client:
        for process, password in _processes_with(settings, "REDIS", principals.WITH_SESSIONS):
            rights = SESSION_KEEPING if process == "identity" else SESSION_CHECKING
            client.execute_command("ACL", "SETUSER", settings.names.redis_user(process), "reset", "on", f">{password}", *CONNECTING, *rights)


def _remove_redis_users(settings: Settings) -> list[str]:
    with _redis_admin(settings) as client:
        existing = set(client.execute_command("ACL", "USERS"))
        removed = sorted(existing & {settings.names.redis_user(process) for process in principals.WITH_SESSIONS})
        if removed:
            client.execute_command("ACL", "DELUSER", *removed)
    return removed
