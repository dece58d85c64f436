"""What every command shares: settings from the environment, a service to ask, and printing."""
from __future__ import annotations

import json
from importlib import import_module

import click

from shared.settings import Settings


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


def operator() -> dict:
    """The person at the command line, as audit events name them."""
    import getpass

    return {"username": f"cli:{getpass.getuser()}", "la_code": "national", "role": "operator", "category": None}

