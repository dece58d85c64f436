"""The ``contactpoint`` command line.

Every command reads its settings from the environment, answers bad input or an unreachable
server with one line and a non-zero exit, and prints records or credentials as JSON with
``--json``.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from importlib import import_module
from pathlib import Path

import click

from shared.errors import ContactPointError
from shared.settings import Settings

SERVICE_NAMES = ("identity", "directory", "feeds", "audit", "portal")


def main() -> None:
    logging.basicConfig(level=os.environ.get("CP_LOG_LEVEL", "WARNING"), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # the edge of the program: one line for a person, never a traceback
        if os.environ.get("CP_DEBUG"):
            raise
        click.echo(f"error: {describe(exc)}", err=True)
        sys.exit(1)


def describe(exc: Exception) -> str:
    """One human-readable line for what went wrong."""
    from kombu.exceptions import OperationalError as BrokerError
    from sqlalchemy.exc import OperationalError as DatabaseError

    if isinstance(exc, ContactPointError):
        return str(exc)
    if isinstance(exc, DatabaseError):
        return f"cannot reach the database: {str(exc.orig).strip().splitlines()[0]}"
    if isinstance(exc, (BrokerError, ConnectionError, OSError)):
        return f"cannot reach the message broker: {exc}"
    return f"{exc.__class__.__name__}: {exc}"


def settings() -> Settings:
    return Settings.from_env()


def service(name: str):
    return import_module(f"services.{name}.bootstrap").bootstrap(settings())


def show(record, as_json: bool, text_lines) -> None:
    if as_json:
        click.echo(json.dumps(record, default=str))
    else:
        for line in text_lines(record):
            click.echo(line)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """ContactPoint: a directory of children for safeguarding practitioners."""


@cli.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--children", default=10_000, show_default=True, type=click.IntRange(0, 2_000_000))
def demo(port: int, children: int):
    """Every service in one process, with nothing installed: seeded, with demo accounts."""
    from contactpoint.embedded import run_demo

    run_demo(port=port, children=children)


@cli.command()
def up():
    """Every service as its own process against the servers named by CP_* variables."""
    from contactpoint.processes import supervise

    migrate_all(settings())
    sys.exit(supervise())


@cli.command()
@click.argument("name", type=click.Choice(SERVICE_NAMES))
def run(name: str):
    """Run one service in the foreground."""
    import runpy

    runpy.run_module(f"services.{name}", run_name="__main__")


@cli.command()
def migrate():
    """Create or upgrade every service's schema, and declare the broker's exchanges and queues. Idempotent."""
    migrate_all(settings())
    click.echo("every schema is at its newest revision; exchanges and queues are declared")


def migrate_all(config: Settings) -> None:
    from shared.messaging import topology
    from shared.messaging.connection import connect
    from shared.migrations import upgrade

    upgrade(config.database_url)
    with connect(config) as connection:
        connection.ensure_connection(max_retries=2)
        topology.declare(connection)


@cli.group()
def users():
    """Accounts of practitioners, LA administrators, auditors and approvers."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--la", "la_code", required=True, help="ONS code of the local authority, e.g. E08000035")
@click.option("--category", required=True, help="practitioner category, e.g. social_worker")
@click.option("--role", required=True, type=click.Choice(("practitioner", "la_admin", "auditor", "approver")))
@click.option("--trained-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--disclosure-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True)
def users_add(username, la_code, category, role, trained_on, disclosure_on, as_json):
    """Create an account; prints its first password and TOTP secret (shown once)."""
    from shared.contracts.requests import ADD_USER

    created = service("identity").perform(ADD_USER, {
        "username": username, "la_code": la_code, "category": category, "role": role,
        "trained_on": _day(trained_on), "disclosure_on": _day(disclosure_on), "actor": operator(),
    })
    show(created, as_json, lambda r: [
        f"username:    {r['username']}", f"password:    {r['password']}",
        f"totp secret: {r['totp_secret']}", f"enrol with:  {r['otpauth_uri']}",
    ])


@users.command("list")
@click.option("--la", "la_code")
@click.option("--json", "as_json", is_flag=True)
def users_list(la_code, as_json):
    """List accounts, of one LA or all."""
    from shared.contracts.requests import LIST_USERS

    found = service("identity").perform(LIST_USERS, {"la_code": la_code, "actor": operator()})
    show(found, as_json, lambda rows: [f"{u['username']:<24} {u['la_code']:<10} {u['role']:<12} {u['category']:<22} {u['status']}" for u in rows])


@cli.group()
def sources():
    """The partner systems that send records."""


@sources.command("add")
@click.argument("source_id")
@click.option("--name", required=True)
@click.option("--la", "la_code")
@click.option("--kinds", required=True, help="comma-separated service kinds, e.g. youth_offending,school")
@click.option("--json", "as_json", is_flag=True)
def sources_add(source_id, name, la_code, kinds, as_json):
    """Register a source and create its broker user; prints the user's password (shown once)."""
    from shared.contracts.requests import ADD_SOURCE

    added = service("feeds").perform(ADD_SOURCE, {
        "source_id": source_id, "name": name, "la_code": la_code,
        "kinds": [kind.strip() for kind in kinds.split(",") if kind.strip()], "actor": operator(),
    })
    show(added, as_json, lambda r: [f"source:        {r['source_id']}", f"amqp password: {r['amqp_password']}"])


@sources.command("list")
@click.option("--json", "as_json", is_flag=True)
def sources_list(as_json):
    """List registered sources."""
    from shared.contracts.requests import LIST_SOURCES

    found = service("feeds").perform(LIST_SOURCES, {"actor": operator()})
    show(found, as_json, lambda rows: [
        f"{s['source_id']:<24} {'enabled' if s['enabled'] else 'disabled':<9} {s['la_code'] or '-':<10} {','.join(s['kinds'])}  {s['name']}"
        for s in rows
    ])


@sources.command("disable")
@click.argument("source_id")
@click.option("--json", "as_json", is_flag=True)
def sources_disable(source_id, as_json):
    """Disable a source and revoke its broker user at once."""
    from shared.contracts.requests import DISABLE_SOURCE

    done = service("feeds").perform(DISABLE_SOURCE, {"source_id": source_id, "actor": operator()})
    show(done, as_json, lambda r: [f"{r['source_id']} is disabled; its broker user is revoked"])


@cli.group()
def feeds():
    """Sending records as a partner system would."""


@feeds.command("publish")
@click.option("--source", "source_id", required=True)
@click.option("--password", envvar="CP_SOURCE_PASSWORD", help="the source's broker password (or CP_SOURCE_PASSWORD)")
@click.argument("file", type=click.Path(path_type=Path))
def feeds_publish(source_id, password, file):
    """Publish each record of a CSV or JSON Lines FILE as a feed message, as the source."""
    from tqdm import tqdm

    from contactpoint import partner

    config = settings()
    if not config.embedded and not password:
        raise click.UsageError("give the source's broker password with --password or CP_SOURCE_PASSWORD")
    records = list(partner.read_records(file))
    with partner.source_connection(config.amqp_url, source_id, password or "") as connection:
        connection.ensure_connection(max_retries=2)
        for _ in tqdm(partner.publish(connection, ((source_id, record) for record in records)), total=len(records), unit="msg", desc="published"):
            pass
    click.echo(f"published {len(records)} messages as {source_id}; feedback waits in cp.feedback.{source_id}")


def operator() -> dict:
    """The person at the command line, as audit events name them."""
    import getpass

    return {"username": f"cli:{getpass.getuser()}", "la_code": "national", "role": "operator", "category": None}


def _day(value) -> str | None:
    return value.date().isoformat() if value else None
