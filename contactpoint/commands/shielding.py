"""`contactpoint shield` / `unshield`: the LA ContactPoint team's decision that a child is at risk if found, and lifting it;
`contactpoint directory la-team`: how readers of an LA's shielded children reach its team."""
from __future__ import annotations

import contextlib

import click

from contactpoint.commands.common import operator, service, show


@click.command("shield")
@click.argument("contactpoint_id")
@click.option("--reason", required=True, help="why, for the audit trail")
@click.option("--json", "as_json", is_flag=True)
def shield(contactpoint_id, reason, as_json):
    """Shield a child: no address, postcode, contact, organisation or practitioner is shown until the LA team lifts it."""
    from shared.contracts.requests import SHIELD_CHILD

    _decide(SHIELD_CHILD, contactpoint_id, reason, as_json, said="shielded", unchanged="already")


@click.command("unshield")
@click.argument("contactpoint_id")
@click.option("--reason", required=True, help="why, for the audit trail")
@click.option("--json", "as_json", is_flag=True)
def unshield(contactpoint_id, reason, as_json):
    """Lift a child's shielding, whoever set it."""
    from shared.contracts.requests import UNSHIELD_CHILD

    _decide(UNSHIELD_CHILD, contactpoint_id, reason, as_json, said="no longer shielded", unchanged="was not")


def _decide(request: str, contactpoint_id: str, reason: str, as_json: bool, *, said: str, unchanged: str) -> None:
    """Puts the LA team's decision to the feeds service, as the operator, and says what it changed."""
    with contextlib.closing(service("feeds")) as feeds:
        done = feeds.perform(request, {"contactpoint_id": contactpoint_id, "reason": reason, "actor": operator()})
    show(done, as_json, lambda r: [f"{r['contactpoint_id']}: {said}" + ("" if r["changed"] else f" ({unchanged})")])


@click.command("la-team")
@click.option("--la", "la_code", required=True)
@click.option("--name", required=True)
@click.option("--phone")
@click.option("--email")
@click.option("--json", "as_json", is_flag=True)
def la_team(la_code, name, phone, email, as_json):
    """Set how readers of the LA's shielded children reach its LA ContactPoint team."""
    from shared.contracts.requests import SET_LA_TEAM

    with contextlib.closing(service("directory")) as directory:
        done = directory.perform(SET_LA_TEAM, {"la_code": la_code, "name": name, "phone": phone, "email": email, "actor": operator()})
    show(done, as_json, lambda r: [f"{r['la_code']}: {r['name']}, {r['phone'] or '-'}, {r['email'] or '-'}"])
