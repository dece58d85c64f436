"""`contactpoint sources`: the partner systems that send records."""
from __future__ import annotations

import click


from contactpoint.commands.common import Commands, operator, service, show
from shared.contracts.feeds import SERVICE_KINDS


@click.group(cls=Commands)
def sources():
    """The partner systems that send records."""


@sources.command("add")
@click.argument("source_id")
@click.option("--name", required=True)
@click.option("--la", "la_code")
@click.option("--kinds", required=True, help="comma-separated, each one of: " + ", ".join(SERVICE_KINDS))
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
