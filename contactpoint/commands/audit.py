"""`contactpoint audit`: checking the audit store, and watching the audit stream."""
from __future__ import annotations

import sys

import click

from contactpoint.commands.common import operator, service, show


@click.group()
def audit():
    """Checking the audit store, and watching the audit stream."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(as_json):
    """Verify the whole audit store: the hash chain, the producers' numbering and the signed checkpoints."""
    from shared.contracts.requests import VERIFY_AUDIT

    verdict = service("audit").perform(VERIFY_AUDIT, {"actor": operator()})
    show(verdict, as_json, _verdict_lines)
    if not verdict["intact"]:
        sys.exit(1)


def _verdict_lines(verdict: dict) -> list[str]:
    unchecked = ["  checkpoint signatures not checked: CP_CHECKPOINT_KEY is not set"] if verdict["checkpoints"] and not verdict["signatures_checked"] else []
    if verdict["intact"]:
        return [f"intact: {verdict['events']:,} events, {verdict['checkpoints']:,} checkpoints", *unchecked]
    return [f"first bad sequence: {verdict['first_bad_seq']}", *(f"  {fault['what']}" for fault in verdict["faults"]), *unchecked]
