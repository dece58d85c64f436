"""`contactpoint audit`: checking the audit store, watching the audit stream, and security teams' own feeds of it."""
from __future__ import annotations

import contextlib
import sys

import click

from contactpoint.commands.common import Commands, operator, service, settings, show
from shared.messaging.envelope import new_message_id


@click.group(cls=Commands)
def audit():
    """Checking the audit store, and watching the audit stream."""


@audit.command("verify")
@click.option("--public-key", "public_keys", multiple=True,
              help="a checkpoint public key to check signatures with; repeat it for the keys used before a change of key "
                   "(else CP_CHECKPOINT_PUBLIC_KEY's and CP_CHECKPOINT_KEY's)")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(public_keys, as_json):
    """Verify the whole audit store: the hash chain, the producers' numbering and the signed checkpoints."""
    from shared.contracts.requests import VERIFY_AUDIT

    request = {"actor": operator(), "public_keys": list(public_keys)}
    verdict = service("audit").perform(VERIFY_AUDIT, request)
    show(verdict, as_json, _verdict_lines)
    if not verdict["intact"]:
        sys.exit(1)


def _verdict_lines(verdict: dict) -> list[str]:
    if not verdict["signatures_checked"]:
        signatures = ["  checkpoint signatures not checked: no key to check them with; "
                      "give --public-key, CP_CHECKPOINT_PUBLIC_KEY or CP_CHECKPOINT_KEY"]
    elif verdict["checkpoints"]:
        keys = verdict["key_ids"]
        signatures = [f"  checkpoint signatures checked with key{'s' if len(keys) > 1 else ''} {', '.join(keys)}"]
    else:
        signatures = []
    if verdict["intact"]:
        return [f"intact: {verdict['events']:,} events, {verdict['checkpoints']:,} checkpoints", *signatures]
    return [f"first bad sequence: {verdict['first_bad_seq']}", *(f"  {fault['what']}" for fault in verdict["faults"]), *signatures]


@audit.command("keygen")
@click.option("--json", "as_json", is_flag=True)
def audit_keygen(as_json):
    """Make a new checkpoint signing key, to give the audit service as CP_CHECKPOINT_KEY (shown once), and its public key,
    to give whoever verifies the store as CP_CHECKPOINT_PUBLIC_KEY: it checks checkpoints and cannot sign them. To change
    the key, append the new public key to CP_CHECKPOINT_PUBLIC_KEY after the old ones, with a comma."""
    from services.audit.checkpoints import key_id, new_key, public_key_of, signing_key

    key = new_key()
    made = {"checkpoint_key": key, "checkpoint_public_key": public_key_of(key), "key_id": key_id(signing_key(key).public_key())}
    show(made, as_json, lambda r: [
        f"CP_CHECKPOINT_KEY={r['checkpoint_key']}", f"CP_CHECKPOINT_PUBLIC_KEY={r['checkpoint_public_key']}",
        f"# key id {r['key_id']}: checkpoints signed with it name it",
    ])


@audit.command("public-key")
@click.option("--json", "as_json", is_flag=True)
def audit_public_key(as_json):
    """Print the public key of the checkpoint signing key in use (CP_CHECKPOINT_KEY), to give whoever verifies the store."""
    from services.audit.checkpoints import key_id, public_key_of, signing_key
    from shared.errors import InvalidRequest

    key = settings().checkpoint_key
    if not key:
        raise InvalidRequest("CP_CHECKPOINT_KEY is not set: there is no signing key to take a public key from")
    public = {"checkpoint_public_key": public_key_of(key), "key_id": key_id(signing_key(key).public_key())}
    show(public, as_json, lambda r: [f"CP_CHECKPOINT_PUBLIC_KEY={r['checkpoint_public_key']}", f"# key id {r['key_id']}"])


@audit.command("tail")
@click.option("--la", "la_code", help="only events of this local authority (its ONS code, or 'national')")
@click.option("--action", help="only this action, e.g. read, or service.action, e.g. directory.read")
@click.option("--count", type=click.IntRange(min=1), help="stop after this many events")
def audit_tail(la_code, action, count):
    """Print the live audit stream, one JSON event a line, until Ctrl-C."""
    import json

    from kombu import Consumer, Queue

    from shared.messaging.connection import connect
    from shared.messaging.topology import AUDIT

    binding = tail_binding(la_code, action)
    printed = 0

    def echo(body, message):
        nonlocal printed
        click.echo(json.dumps(body, ensure_ascii=False))
        printed += 1

    queue = Queue(f"cp.audit.tail.{new_message_id()}", AUDIT, routing_key=binding, exclusive=True, auto_delete=True, durable=False)
    with connect(settings()) as connection:
        connection.ensure_connection(max_retries=2)
        with Consumer(connection, [queue], callbacks=[echo], accept=["json"], no_ack=True):
            try:
                while count is None or printed < count:
                    connection.drain_events()
            except KeyboardInterrupt:
                pass


def tail_binding(la_code: str | None, action: str | None) -> str:
    """The binding key for ``<la_code>.<service>.<action>`` that keeps what ``--la`` and ``--action`` ask for."""
    parts = action.split(".") if action else ["*"]
    if len(parts) > 2 or any(not part or part in ("*", "#") for part in parts if action):
        raise click.BadParameter(f"{action!r} is not an action or service.action", param_hint="--action")
    if la_code is not None and (not la_code or set(la_code) & set(".*#")):
        raise click.BadParameter(f"{la_code!r} is not an LA code", param_hint="--la")
    return ".".join([la_code or "*", *(parts if len(parts) == 2 else ["*", *parts])])


@audit.command("subscribe")
@click.argument("team_id")
@click.option("--binding", "bindings", required=True, help="comma-separated routing keys, e.g. E08000035.#,*.directory.read")
@click.option("--json", "as_json", is_flag=True)
def audit_subscribe(team_id, bindings, as_json):
    """Give a security team its own broker user and read-only queue cp.audit.TEAM_ID, bound to cp.audit and cp.alerts."""
    from shared.contracts.requests import SUBSCRIBE_TEAM

    made = service("audit").perform(SUBSCRIBE_TEAM, {
        "team_id": team_id, "bindings": [key.strip() for key in bindings.split(",") if key.strip()], "actor": operator(),
    })
    show(made, as_json, lambda r: [f"team:          {r['team_id']}", f"queue:         {r['queue']}", f"amqp password: {r['amqp_password']}"])


@audit.command("rule-setting")
@click.option("--la", "la_code", required=True, help="an ONS LA code, or * for every LA")
@click.option("--rule", required=True, help="out_of_hours, many_lookups or many_users_on_child")
@click.option("--category", default="*", help="out_of_hours: the practitioner category whose working hours these are (* for everyone)")
@click.option("--opens", type=int, help="out_of_hours: the hour its working day begins (0-23)")
@click.option("--closes", type=int, help="out_of_hours: the hour it ends (1-24)")
@click.option("--weekdays", help="out_of_hours: the days it works, 0 (Monday) to 6, comma-separated (every day unless given)")
@click.option("--window-seconds", type=int, help="a counting rule: its window")
@click.option("--at-least", type=int, help="a counting rule: how many in its window make a case")
@click.option("--json", "as_json", is_flag=True)
def audit_rule_setting(la_code, rule, category, opens, closes, weekdays, window_seconds, at_least, as_json):
    """Set what an LA takes as ordinary for a misuse rule: a team's working hours, or a threshold."""
    from shared.contracts.requests import SET_RULE_SETTING

    days = [int(day) for day in weekdays.split(",")] if weekdays else None
    with contextlib.closing(service("audit")) as audit_service:
        done = audit_service.perform(SET_RULE_SETTING, {
            "la_code": la_code, "rule": rule, "category": category, "opens": opens, "closes": closes, "weekdays": days,
            "window_seconds": window_seconds, "at_least": at_least, "actor": operator(),
        })
    show(done, as_json, lambda d: [f"{d['rule']} in {d['la_code']} for {d['category']}: {d['values']}"])
