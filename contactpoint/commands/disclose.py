"""`contactpoint disclose`: bulk disclosure (pseudonymised or anonymised), and single-record disclosure on a second person's approval.

Bulk exports are the operator's, like every command here. Each single-record step is a
person's: the command signs them in (password and one-time code, from --password-file or
standard input, or CP_PASSWORD and CP_OTP, or asked for; never as options), acts as them, and
signs them out.
"""
from __future__ import annotations

import contextlib
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import click

from contactpoint.commands.common import SECRETS_FILE_HELP, Commands, operator, secret, secret_lines, service, settings, show
from shared.contracts.disclosure import GROUNDS
from shared.contracts.requests import APPROVE_DISCLOSURE, REFUSE_DISCLOSURE


@click.group(cls=Commands)
def disclose():
    """Bulk disclosure, pseudonymised or anonymised; one child's record only on a second person's approval."""


@disclose.command("bulk")
@click.option("--pseudonymised", type=click.Path(path_type=Path, dir_okay=False), help="write keyed pseudonyms to this JSON Lines file")
@click.option("--anonymised", type=click.Path(path_type=Path, dir_okay=False), help="write suppressed aggregate counts to this JSON Lines file")
@click.option("--recipient", help="the recipient whose own pseudonyms these are (pseudonymised only)")
@click.option("--k", "k", type=int, default=None,
              help="pseudonymised only: every combination shown is shared by at least K children (5 unless raised)")
@click.option("--json", "as_json", is_flag=True)
def disclose_bulk(pseudonymised, anonymised, recipient, k, as_json):
    """Export every child de-identified: one line a child with a keyed pseudonym, or counts by LA, age band and service."""
    from tqdm import tqdm

    from services.disclosure.anonymity import DEFAULT_K
    from services.disclosure.exports import export

    if (pseudonymised is None) == (anonymised is None):
        raise click.UsageError("give one of --pseudonymised FILE or --anonymised FILE")
    if recipient and anonymised:
        raise click.UsageError("--recipient names whose pseudonyms these are; anonymised counts carry none")
    if k is not None and anonymised:
        raise click.UsageError("--k is for the pseudonymised file; anonymised counts keep their small-cell suppression")
    if k is not None and k < DEFAULT_K:
        raise click.UsageError(f"--k may raise the {DEFAULT_K} children a combination is shared by, never lower it")
    form, path = ("pseudonymised", pseudonymised) if pseudonymised else ("anonymised", anonymised)
    if not path.parent.is_dir():
        raise click.UsageError(f"{path.parent} is not a folder to write {path.name} in")
    with contextlib.closing(service("disclosure")) as disclosure:
        done = export(disclosure, form, path, actor=operator(), recipient=recipient, k=k or DEFAULT_K,
                      progress=lambda rows, total: tqdm(rows, total=total, unit="child", desc="exported"))
    show(done, as_json, lambda d: [f"wrote {d['rows']:,} {form} lines ({d['children']:,} children) to {path}; the export is audited",
                                   *_anonymity_said(d)])


def _anonymity_said(done: dict) -> list[str]:
    if "k" not in done:
        return []
    return [f"every combination shown is shared by at least {done['k']} children: {done['generalised']:,} rows generalised "
            f"({done['generalised_to_year']:,} to year of birth, {done['generalised_to_la']:,} also to LA), {done['suppressed']:,} suppressed"]


def as_person(command):
    """Options that sign a person in for one command; their password and code are read, never taken as options."""
    @functools.wraps(command)
    def with_factors(*args, password_file, **kwargs):
        lines = secret_lines(password_file)
        password = secret("password", "CP_PASSWORD", lines[0] if lines else None)
        otp = secret("one-time code", "CP_OTP", lines[1] if len(lines) > 1 else None)
        return command(*args, password=password, otp=otp, **kwargs)

    with_factors = click.option("--password-file", type=click.File("r"),
                                help=f"{SECRETS_FILE_HELP} (else CP_PASSWORD and CP_OTP, else asked for)")(with_factors)
    return click.option("--username", envvar="CP_USERNAME", required=True, help="who you are (or CP_USERNAME)")(with_factors)


@dataclass(frozen=True)
class Person:
    actor: dict  # as the token names them, checked
    token: str  # their access token, for any request made for them on the way


@contextlib.contextmanager
def signed_in(username: str, password: str, otp: str):
    """The person, signed in with their own factors, for as long as the command runs; signed out after."""
    from shared import tokens
    from shared.cache import make_redis
    from shared.contracts.requests import LOGIN, LOGOUT

    config = settings()
    with contextlib.closing(service("identity")) as identity, contextlib.closing(make_redis(config)) as revocations:
        answer = identity.perform(LOGIN, {"username": username, "password": password, "otp": otp, "client": "command line"})
        actor = tokens.verify(config.token_public_key, answer["access_token"], revocations, config.token_lifetime_seconds).as_dict()
        try:
            yield Person(actor, answer["access_token"])
        finally:
            identity.perform(LOGOUT, {"actor": actor})


def perform(request: str, payload: dict, person: Person):
    """The disclosure service's answer to a request, asked for the person."""
    with contextlib.closing(service("disclosure")) as disclosure:
        return disclosure.perform(request, {**payload, "actor": person.actor}, token=person.token)


def _request_lines(r: dict) -> list[str]:
    lines = [f"{r['request_id']}  {r['status']:<8} {r['ground']:<16} {r['contactpoint_id']}  ref {r['reference']}  by {r['requested_by']}"]
    if r["decided_by"]:
        readable = f"; readable until {r['readable_until']}" if r["readable_until"] else ""
        lines.append(f"    decided by {r['decided_by']} at {r['decided_at']}{readable}")
    return lines


@disclose.command("request")
@click.argument("contactpoint_id")
@click.option("--ground", required=True, type=click.Choice(GROUNDS))
@click.option("--reference", required=True, help="the court order's or the police case's reference")
@as_person
@click.option("--json", "as_json", is_flag=True)
def disclose_request(contactpoint_id, ground, reference, username, password, otp, as_json):
    """Ask for one child's record on a ground; an approver (not you) must approve it."""
    from shared.contracts.requests import REQUEST_DISCLOSURE

    with signed_in(username, password, otp) as person:
        asked = perform(REQUEST_DISCLOSURE, {"contactpoint_id": contactpoint_id, "ground": ground, "reference": reference}, person)
    show(asked, as_json, _request_lines)


def _decision(name: str, request: str, help: str, reason_help: str, *, reason_required: bool) -> click.Command:
    """``disclose approve`` and ``disclose refuse``: an approver's decision on someone else's request."""

    @disclose.command(name, help=help)
    @click.argument("request_id")
    @click.option("--reason", required=reason_required, help=reason_help)
    @as_person
    @click.option("--json", "as_json", is_flag=True)
    def decide(request_id, reason, username, password, otp, as_json):
        with signed_in(username, password, otp) as person:
            decided = perform(request, {"request_id": request_id, "reason": reason}, person)
        show(decided, as_json, _request_lines)

    return decide


disclose_approve = _decision("approve", APPROVE_DISCLOSURE, "Approve someone else's request (approvers only); its requester may then "
                             "read the record once, in time.", "why, for the record", reason_required=False)
disclose_refuse = _decision("refuse", REFUSE_DISCLOSURE, "Refuse someone else's request (approvers only).",
                            "why, for the requester and the record", reason_required=True)


@disclose.command("list")
@click.option("--status", type=click.Choice(("pending", "approved", "refused", "read", "expired")))
@as_person
@click.option("--json", "as_json", is_flag=True)
def disclose_list(status, username, password, otp, as_json):
    """Your requests; an approver sees every request of their LA."""
    from shared.contracts.requests import LIST_DISCLOSURES

    with signed_in(username, password, otp) as person:
        found = perform(LIST_DISCLOSURES, {"status": status}, person)
    show(found, as_json, lambda rows: [line for r in rows for line in _request_lines(r)] or ["no disclosure requests"])


@disclose.command("read")
@click.argument("request_id")
@as_person
def disclose_read(request_id, username, password, otp):
    """Read, once, the record your approved request discloses; printed as JSON."""
    from shared.contracts.requests import READ_DISCLOSURE

    with signed_in(username, password, otp) as person:
        disclosed = perform(READ_DISCLOSURE, {"request_id": request_id}, person)
    click.echo(json.dumps(disclosed, default=str))
