"""What every command shares: settings from the environment, a service to ask, and printing."""
from __future__ import annotations

import json
import os
from importlib import import_module
from pathlib import Path

import click

from shared.errors import ConfigurationError
from shared.principals import OPERATOR
from shared.settings import Settings

# Where ``contactpoint demo`` keeps its files (``contactpoint.embedded.HOME``), named here so that a command need not import the demo.
DEMO_HOME = Path(".contactpoint")


class Commands(click.Group):
    """A group whose list of commands gives each one's whole first sentence, wrapped, never cut off with "..."."""

    def format_commands(self, ctx, formatter):
        listed = [(name, command) for name in self.list_commands(ctx) if (command := self.get_command(ctx, name)) and not command.hidden]
        if listed:
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit=1000)) for name, command in listed])


def settings() -> Settings:
    return Settings.from_env()


def service(name: str):
    try:
        return import_module(f"services.{name}.bootstrap").bootstrap(settings())
    except ConfigurationError as exc:
        if DEMO_HOME.is_dir():
            raise ConfigurationError(
                "the demo keeps its own keys inside its own process, so no other command can act on it: use the demo's page, "
                f"or run this against the servers of `contactpoint up` with its key file ({exc})"
            ) from exc
        raise


def show(record, as_json: bool, text_lines) -> None:
    if as_json:
        click.echo(json.dumps(record, default=str))
    else:
        for line in text_lines(record):
            click.echo(line)


def operator() -> dict:
    """The person at the command line, as audit events name them."""
    import getpass

    return {"username": f"cli:{getpass.getuser()}", "la_code": "national", "role": OPERATOR, "category": None}



# What reads a password or one-time code: never an option, which shell history and the list of processes would keep.
SECRETS_FILE_HELP = "a file (or - for standard input) whose first line is the password and second, where given, the one-time code"


def secret_lines(given) -> list[str]:
    """The lines of a ``--password-file`` (a file, or ``-`` for standard input): the password, then perhaps a code."""
    return given.read().splitlines() if given is not None else []


def secret(what: str, variable: str, line: str | None = None) -> str:
    """A password or code: the line of the file given, else the environment variable, else asked for and never echoed."""
    return line or os.environ.get(variable) or click.prompt(what, hide_input=True)
