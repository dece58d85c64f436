"""The ``contactpoint`` command line.

Every command reads its settings from the environment, answers bad input or an unreachable
server with one line and a non-zero exit, and prints records or credentials as JSON with
``--json``.
"""
from __future__ import annotations

import logging
import os
import sys

import click

from contactpoint.commands.audit import audit
from contactpoint.commands.common import Commands
from contactpoint.commands.dead_letters import dead_letters
from contactpoint.commands.directory import directory
from contactpoint.commands.disclose import disclose
from contactpoint.commands.feeds import feeds
from contactpoint.commands.review import review
from contactpoint.commands.shielding import la_team, shield, unshield
from contactpoint.commands.sources import sources
from contactpoint.commands.system import system
from contactpoint.commands.users import users
from shared.errors import ContactPointError


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
    from psycopg import OperationalError as DriverDatabaseError
    from redis.exceptions import ConnectionError as CacheError
    from sqlalchemy.exc import OperationalError as DatabaseError

    if isinstance(exc, ContactPointError):
        return str(exc)
    if isinstance(exc, DatabaseError):
        return f"cannot reach the database: {str(exc.orig).strip().splitlines()[0]}"
    if isinstance(exc, DriverDatabaseError):
        return f"cannot reach the database: {str(exc).strip().splitlines()[0]}"
    if isinstance(exc, CacheError):
        return f"cannot reach Redis: {str(exc).strip().splitlines()[0]}"
    if isinstance(exc, (BrokerError, ConnectionError, OSError)):
        return f"cannot reach the message broker: {exc}"
    return f"{exc.__class__.__name__}: {exc}"


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """ContactPoint: a directory of children for safeguarding practitioners."""


for command in system.commands.values():
    cli.add_command(command)
for group in (users, sources, feeds, directory, audit, dead_letters):
    cli.add_command(group)
cli.add_command(disclose)
cli.add_command(review)
cli.add_command(shield)
cli.add_command(unshield)
directory.add_command(la_team)
