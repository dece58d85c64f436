"""A run of its own on shared servers: its own database, broker vhost and Redis database, removed after.

Tests and benchmarks both use it, so that two runs on one machine never see each other's data.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from contactpoint.keys import with_fresh_keys
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


@contextlib.contextmanager
def isolated(servers: Servers = LOCAL, prefix: str = "cp_test") -> Iterator[Settings]:
    """Settings for this run alone, with fresh keys; the database and vhost are dropped on leaving."""
    run = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = f"http://guest:guest@{servers.amqp_host}:{servers.management_port}"
    admin = BrokerAdmin(admin_url, run)
    admin.create_vhost(run)
    with psycopg.connect(servers.postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{run}"')
    database_url = servers.postgres.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{run}"
    try:
        yield with_fresh_keys(Settings(
            amqp_url=f"amqp://guest:guest@{servers.amqp_host}:{servers.amqp_port}/{run}",
            amqp_admin_url=admin_url,
            database_url=database_url,
            redis_url=f"redis://{servers.redis_host}:{servers.redis_port}/{uuid.uuid4().int % 15 + 1}",
            http_addr="127.0.0.1:0",
        ))
    finally:
        admin.delete_vhost(run)
        # Bounded: a backend that cannot be interrupted (a stalled COPY) would hold the drop forever.
        with psycopg.connect(servers.postgres, autocommit=True, options="-c statement_timeout=60s") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
