"""`contactpoint shield` / `unshield`: the LA ContactPoint team's decision that a child is at risk if found, and lifting it;
`contactpoint directory la-team`: how readers of an LA's shielded children reach its team."""
from __future__ import annotations

import contextlib

import click

from contactpoint.commands.common import operator, service, show
from shared.contracts.requests import SET_LA_TEAM, SHIELD_CHILD, UNSHIELD_CHILD


def _decision(name: str, request: str, help: str, *, said: str, unchanged: str) -> click.Command:
    """``shield`` and ``unshield``: the LA team's decision, put to the feeds service as the operator, saying what it changed."""

    @click.command(name, help=help)
    @click.argument("contactpoint_id")
    @click.option("--reason", required=True, help="why, for the audit trail")
    @click.option("--json", "as_json", is_flag=True)
    def decide(contactpoint_id, reason, as_json):
        with contextlib.closing(service("feeds")) as feeds:
            done = feeds.perform(request, {"contactpoint_id": contactpoint_id, "reason": reason, "actor": operator()})
        show(done, as_json, lambda r: [f"{r['contactpoint_id']}: {said}" + ("" if r["changed"] else f" ({unchanged})")])

    return decide


shield = _decision("shield", SHIELD_CHILD, "Shield a child: no address, postcode, contact, organisation or practitioner is shown until "
                   "the LA team lifts it.", said="shielded", unchanged="already")
unshield = _decision("unshield", UNSHIELD_CHILD, "Lift a child's shielding, whoever set it.", said="no longer shielded", unchanged="was not")


@click.command("la-team")
@click.option("--la", "la_code", required=True)
@click.option("--name", required=True)
@click.option("--phone")
@click.option("--email")
@click.option("--json", "as_json", is_flag=True)
def la_team(la_code, name, phone, email, as_json):
    """Set how readers of the LA's shielded children reach its LA ContactPoint team."""
    with contextlib.closing(service("directory")) as directory:
        done = directory.perform(SET_LA_TEAM, {"la_code": la_code, "name": name, "phone": phone, "email": email, "actor": operator()})
    show(done, as_json, lambda r: [f"{r['la_code']}: {r['name']}, {r['phone'] or '-'}, {r['email'] or '-'}"])
