"""Test servers and isolation.

Tests talk to real PostgreSQL, RabbitMQ and Redis: containers from testcontainers where a
Docker engine answers, otherwise the servers on 127.0.0.1 that ``make test`` makes sure of.
Each run makes its own database, broker vhost and Redis database number and removes them
after, so two runs never see each other's data.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from contactpoint.sandbox import LOCAL, Servers, isolated
from shared.broker_admin import BrokerAdmin
from shared.settings import Settings


def docker_engine_answers() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    if os.environ.get("CP_TEST_USE_LOCAL_SERVERS") or not docker_engine_answers():
        yield LOCAL
        return
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer
    from testcontainers.redis import RedisContainer

    with PostgresContainer("postgres:15", username="postgres", password="postgres", dbname="postgres") as pg, \
            RabbitMqContainer("rabbitmq:3.13-management").with_exposed_ports(5672, 15672) as rabbit, \
            RedisContainer("redis:7") as cache:
        yield Servers(
            f"postgresql://postgres:postgres@{pg.get_container_host_ip()}:{pg.get_exposed_port(5432)}/postgres",
            rabbit.get_container_host_ip(), int(rabbit.get_exposed_port(5672)), int(rabbit.get_exposed_port(15672)),
            cache.get_container_host_ip(), int(cache.get_exposed_port(6379)),
        )


@pytest.fixture(scope="session")
def settings(servers: Servers) -> Iterator[Settings]:
    """Settings for this run alone: its own database, vhost and Redis database, and fresh keys."""
    with isolated(servers) as run_settings:
        yield run_settings


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    from contactpoint.commands.system import migrate_all

    migrate_all(settings)
    return settings


@pytest.fixture(scope="session")
def provisioner(migrated: Settings) -> Iterator:
    """The provisioner, running in a thread for the whole run: feeds and audit ask it for every source's and team's broker user."""
    from services.provisioner.bootstrap import bootstrap
    from tests.support import running

    service = bootstrap(migrated)
    with running(service):
        yield service


@pytest.fixture(scope="session")
def broker_admin(settings: Settings) -> BrokerAdmin:
    return BrokerAdmin(settings.amqp_admin_url, settings.vhost)


@pytest.fixture
def mail_server() -> Iterator:
    """A real SMTP server on a free port of 127.0.0.1 that keeps what it is sent, in ``.letters`` (email messages)."""
    from tests.support import MailServer

    server = MailServer()
    with server:
        yield server
