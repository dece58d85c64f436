"""``contactpoint up`` runs every process under its own users: none connects to the broker as ``guest`` or to PostgreSQL as ``postgres``."""
from __future__ import annotations

import subprocess

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from shared.principals import PROCESSES, WITH_DATA
from tests.support import wait_until

pytestmark = pytest.mark.e2e


def broker_users(vhost: str) -> list[str]:
    listed = subprocess.run(["rabbitmqctl", "-q", "list_connections", "user", "vhost"], capture_output=True, text=True, timeout=60, check=True)
    rows = [line.split("\t") for line in listed.stdout.splitlines() if "\t" in line]
    return [user for user, on in rows if on == vhost]


def database_users(migrated) -> list[str]:
    url = make_url(migrated.database_url)
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as connection:
        rows = connection.execute("SELECT usename FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (url.database,))
        return [user for (user,) in rows]


@pytest.mark.skipif(subprocess.run(["which", "rabbitmqctl"], capture_output=True).returncode != 0, reason="needs rabbitmqctl beside the broker")
def test_no_process_of_up_connects_as_an_administrator(system, migrated):
    names = migrated.names
    # The portal connects to the broker on its first request: a refused sign-in is one.
    refused = httpx.post(f"{system.base_url}/api/v1/auth/login", json={"username": "nobody", "password": "wrong", "otp": "000000"}, timeout=10)
    assert refused.status_code in (400, 401), refused.text
    wait_until(lambda: {names.broker_user(p) for p in PROCESSES if p != "scheduler"} <= set(broker_users(migrated.vhost)),
               timeout=60, what="every process to connect to the broker")

    on_broker, in_database = broker_users(migrated.vhost), database_users(migrated)

    assert "guest" not in on_broker, on_broker
    assert set(on_broker) <= {names.broker_user(p) for p in PROCESSES}, on_broker
    assert in_database and "postgres" not in in_database, in_database
    assert set(in_database) <= {names.database_role(s) for s in WITH_DATA}, in_database
