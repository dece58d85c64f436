"""Running ContactPoint: the demo, every service, one service, and migrations."""
from __future__ import annotations

import sys

import click

from contactpoint.commands.common import Commands, settings, show
from shared.principals import ANSWERING, PROCESSES
from shared.settings import Settings

SERVICE_NAMES = (*ANSWERING, "portal")
SCHEDULING = ("worker", "scheduler")


@click.group(cls=Commands)
def system():
    pass


@system.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--children", default=10_000, show_default=True, type=click.IntRange(0, 2_000_000))
def demo(port: int, children: int):
    """Every service in one process, with nothing installed: seeded, with demo accounts."""
    from contactpoint.embedded import run_demo

    run_demo(port=port, children=children)


@system.command()
@click.argument("names", nargs=-1, type=click.Choice(PROCESSES))
def up(names: tuple[str, ...]):
    """Every service as its own process against the servers named by CP_* variables; or only those NAMES, for a host of their own."""
    from contactpoint.processes import supervise

    config = settings()
    migrate_all(config)
    sys.exit(supervise(config, names or PROCESSES))


@system.command()
@click.argument("name", type=click.Choice(SERVICE_NAMES + SCHEDULING))
def run(name: str):
    """Run one service in the foreground; ``worker`` and ``scheduler`` run scheduled work (Celery)."""
    if name in SCHEDULING:
        from shared.scheduling import run_celery

        run_celery(settings(), name)
        return
    import runpy

    runpy.run_module(f"services.{name}", run_name="__main__")


@system.command()
@click.option("--json", "as_json", is_flag=True)
def keys(as_json):
    """Print a new key for every secret, as NAME=value lines for the file CP_KEY_FILE names (shown once)."""
    from contactpoint.keys import fresh_keys

    show(fresh_keys(), as_json, lambda made: [f"{name}={value}" for name, value in made.items()])


@system.command()
def migrate():
    """Create or upgrade every service's schema, users and rights, and the broker's exchanges and queues. Idempotent.

    Run with an administrator's credentials in CP_DATABASE_URL, CP_AMQP_URL (and CP_AMQP_ADMIN_URL) and CP_REDIS_URL,
    and the passwords of the key file: each process gets its own broker user, database role and Redis user.
    """
    migrate_all(settings())
    click.echo("every schema is at its newest revision; each process's users and rights are set; exchanges and queues are declared")


@system.command()
def teardown():
    """Remove every broker user, database role and Redis user that migrate made under CP_NAME_PREFIX (data stays)."""
    from contactpoint.provisioning import remove

    removed = remove(settings())
    click.echo(f"removed {len(removed)} users and roles: {', '.join(removed)}" if removed else "nothing to remove")


def migrate_all(config: Settings) -> None:
    from contactpoint.provisioning import grant_own_schemas, one_migration_at_a_time, provision
    from shared.messaging import topology
    from shared.messaging.connection import connect
    from shared.migrations import upgrade

    with one_migration_at_a_time(config):
        provision(config)
        upgrade(config.database_url, schema_owner="" if config.embedded else config.names.schema_owner)
        grant_own_schemas(config)
        with connect(config) as connection:
            connection.ensure_connection(max_retries=2)
            topology.declare(connection)
