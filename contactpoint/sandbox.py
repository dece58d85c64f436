"""A run of its own on shared servers: its own database, broker vhost and Redis database, removed after.

Tests and benchmarks both use it, so that two runs on one machine never see each other's data.
"""
from __future__ import annotations

import contextlib
import socket
import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from contactpoint.keys import with_fresh_keys
from contactpoint.provisioning import remove
from shared.broker_admin import BrokerAdmin
from shared.settings import Settings


@dataclass(frozen=True)
class Servers:
    postgres: str  # a libpq URL to the server's postgres database
    amqp_host: str
    amqp_port: int
    management_port: int
    redis_host: str
    redis_port: int


LOCAL = Servers("postgresql://postgres@127.0.0.1:5432/postgres", "127.0.0.1", 5672, 15672, "127.0.0.1", 6379)


PREFIXES = ("cp_test", "cp_bench")
# Older than this, a run's database and vhost are an aborted run's leftovers: no run takes so long.
ABANDONED_AFTER = timedelta(hours=6)
STAMP = "%Y%m%d%H%M"
VHOST_START_SECONDS = 60.0


@contextlib.contextmanager
def isolated(servers: Servers = LOCAL, prefix: str = "cp_test") -> Iterator[Settings]:
    """Settings for this run alone, with fresh keys; the database and vhost are dropped on leaving.

    Its processes' broker users, database roles and Redis users are named after the run (its
    ``name_prefix``), so that no two runs reset each other's passwords; they go with it. Runs
    that were killed before they could drop theirs are swept away first: on a single broker,
    every leftover vhost's quorum queues slow every later run.
    """
    admin_url = f"http://guest:guest@{servers.amqp_host}:{servers.management_port}"
    sweep_abandoned(servers, BrokerAdmin(admin_url, "/"))
    run = f"{prefix}_{datetime.now(timezone.utc):{STAMP}}_{uuid.uuid4().hex[:8]}"
    # A busy broker takes its time starting a vhost's processes: longer than an operator's call is allowed.
    admin = BrokerAdmin(admin_url, run, timeout=VHOST_START_SECONDS)
    admin.create_vhost(run)
    with psycopg.connect(servers.postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{run}"')
    database_url = servers.postgres.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{run}"
    settings = with_fresh_keys(Settings(
        amqp_url=f"amqp://guest:guest@{servers.amqp_host}:{servers.amqp_port}/{run}",
        amqp_admin_url=admin_url,
        database_url=database_url,
        redis_url=f"redis://{servers.redis_host}:{servers.redis_port}/{uuid.uuid4().int % 15 + 1}",
        http_addr="127.0.0.1:0",
        name_prefix=f"{run}_",
    ))
    try:
        yield settings
    finally:
        remove(settings)
        # The run's sources and security teams got broker users of their own; they go with its vhost.
        for user in admin.users_of(run) - {"guest"}:
            admin.delete_user(user)
        admin.delete_vhost(run)
        # Bounded: a backend that cannot be interrupted (a stalled COPY) would hold the drop forever.
        with psycopg.connect(servers.postgres, autocommit=True, options="-c statement_timeout=60s") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')


def sweep_abandoned(servers: Servers, admin: BrokerAdmin, now: datetime | None = None) -> list[str]:
    """Drops the databases and vhosts of runs started more than ``ABANDONED_AFTER`` ago; returns their names."""
    with psycopg.connect(servers.postgres, autocommit=True, options="-c statement_timeout=60s") as connection:
        databases = [name for (name,) in connection.execute("SELECT datname FROM pg_database")]
        in_use = {name for (name,) in connection.execute("SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL")}
        abandoned = [name for name in {*databases, *admin.vhosts()} if is_abandoned(name, now or datetime.now(timezone.utc), name in in_use)]
        for name in abandoned:
            admin.delete_vhost(name)
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            remove(Settings(amqp_url=f"amqp://guest:guest@{servers.amqp_host}:{servers.amqp_port}/", amqp_admin_url=admin.url,
                            database_url=servers.postgres.replace("postgresql://", "postgresql+psycopg://"),
                            redis_url=f"redis://{servers.redis_host}:{servers.redis_port}/0", name_prefix=f"{name}_"))
    return sorted(abandoned)


def is_abandoned(name: str, now: datetime, in_use: bool = False) -> bool:
    """A run's name is ``<prefix>_<UTC minute started>_<hex>``; one named before runs were stamped is abandoned once no one uses its database."""
    if not name.startswith(tuple(f"{p}_" for p in PREFIXES)):
        return False
    try:
        started = datetime.strptime(name.split("_")[2], STAMP).replace(tzinfo=timezone.utc)
    except (IndexError, ValueError):
        return not in_use
    return now - started > ABANDONED_AFTER


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on just now (for a server to start, or one that must not answer)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
