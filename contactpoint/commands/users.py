"""`contactpoint users`: accounts of practitioners, LA administrators, auditors and approvers."""
from __future__ import annotations

import click

from contactpoint.commands.common import operator, service, show


@click.group()
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


def _day(value) -> str | None:
    return value.date().isoformat() if value else None
