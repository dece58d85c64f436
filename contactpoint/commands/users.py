"""`contactpoint users`: accounts of practitioners, LA administrators, auditors and approvers."""
from __future__ import annotations

import click

from contactpoint.commands.common import Commands, operator, service, show
from services.identity.categories import CATEGORIES
from shared.principals import ROLES


@click.group(cls=Commands)
def users():
    """Accounts of practitioners, LA administrators, auditors and approvers."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--email", required=True, help="the holder's own address: their one-time enrolment link is mailed there")
@click.option("--la", "la_code", required=True, help="ONS code of the local authority, e.g. E08000035")
@click.option("--category", required=True, type=click.Choice(sorted(CATEGORIES)), help="what the account holder does")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--trained-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--disclosure-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True)
def users_add(username, email, la_code, category, role, trained_on, disclosure_on, as_json):
    """Create an account, which its holder enrols from a one-time link (mailed to them, or printed where no mail is set up)."""
    from shared.contracts.requests import ADD_USER

    created = service("identity").perform(ADD_USER, {
        "username": username, "email": email, "la_code": la_code, "category": category, "role": role,
        "trained_on": _day(trained_on), "disclosure_on": _day(disclosure_on), "actor": operator(),
    })
    _show_enrolment(created, as_json)


@users.command("list")
@click.option("--la", "la_code")
@click.option("--json", "as_json", is_flag=True)
def users_list(la_code, as_json):
    """List accounts, of one LA or all."""
    from shared.contracts.requests import LIST_USERS

    found = service("identity").perform(LIST_USERS, {"la_code": la_code, "actor": operator()})
    show(found, as_json, lambda rows: [f"{u['username']:<24} {u['la_code']:<10} {u['role']:<12} {u['category']:<22} {u['status']}" for u in rows])


@users.command("suspend")
@click.argument("username")
@click.option("--reason", default="suspended by an operator", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def users_suspend(username, reason, as_json):
    """Suspend an account: it cannot sign in, and its sessions end at once."""
    from shared.contracts.requests import SUSPEND_USER

    _show_account(service("identity").perform(SUSPEND_USER, {"username": username, "reason": reason, "actor": operator()}), as_json)


@users.command("unlock")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
def users_unlock(username, as_json):
    """Let a locked or suspended account sign in again (its vetting must be current)."""
    from shared.contracts.requests import UNLOCK_USER

    _show_account(service("identity").perform(UNLOCK_USER, {"username": username, "actor": operator()}), as_json)


@users.command("reset-2fa")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
def users_reset_2fa(username, as_json):
    """A lost authenticator: the holder enrols again from a new link; their password and second factor stop working, and every session ends."""
    from shared.contracts.requests import RESET_TOTP

    _show_enrolment(service("identity").perform(RESET_TOTP, {"username": username, "actor": operator()}), as_json)


@users.command("vet")
@click.argument("username")
@click.option("--trained-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--disclosure-on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True)
def users_vet(username, trained_on, disclosure_on, as_json):
    """Record new training or enhanced disclosure dates."""
    from shared.contracts.requests import RECORD_VETTING

    _show_account(service("identity").perform(RECORD_VETTING, {
        "username": username, "trained_on": _day(trained_on), "disclosure_on": _day(disclosure_on), "actor": operator(),
    }), as_json)


def _show_enrolment(account: dict, as_json: bool) -> None:
    def told(a: dict) -> list[str]:
        if a["enrolment_sent"]:
            return [f"{a['username']}: enrolling; the enrolment link was mailed to its holder (it works once, for 72 hours)"]
        return [f"{a['username']}: enrolling; no mail is set up (CP_SMTP_URL), so give its holder alone this link "
                "(it works once, for 72 hours):", f"  {a['enrolment_url']}"]

    show(account, as_json, told)


def _show_account(account: dict, as_json: bool) -> None:
    show(account, as_json, lambda a: [f"{a['username']}: {a['status']}" + (f" ({a['status_reason']})" if a["status_reason"] else "")])


def _day(value) -> str | None:
    return value.date().isoformat() if value else None
