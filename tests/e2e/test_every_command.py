"""Every command ``contactpoint --help`` lists, run end to end as an operator and the people it serves would run it.

One story against ``contactpoint up``: accounts, sources and feeds, the review queue, exports,
disclosure on a second person's approval, the audit store; then the commands that run until
stopped, and ``teardown`` on a run of its own. It ends by checking that no listed command was
left out, so that a new command comes with its run here.
"""
from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyotp
import pytest
from kombu import Connection

from contactpoint.commands.system import migrate_all
from contactpoint.sandbox import free_port, isolated
from services.identity.credentials import DRIFT_STEPS, STEP_SECONDS
from shared.broker_admin import BrokerAdmin
from shared.contracts.audit import audit_event
from shared.messaging.topology import AUDIT_EVENTS, DEAD
from shared.settings import Settings
from tests.e2e.conftest import COMMAND, Finished, System, contactpoint
from tests.integration.services.builders import a_feed_message, an_unsure_pair
from tests.support import environment_for, unique, wait_until

pytestmark = pytest.mark.e2e

LA = "E08000035"
TODAY = time.strftime("%Y-%m-%d")
GROUPS = ("users", "sources", "feeds", "directory", "audit", "disclose", "review", "dead-letters")


@pytest.fixture(scope="module")
def migrated(servers) -> Iterator[Settings]:
    """A database and vhost of this module's own: its story's last chapter checks the whole audit store, and the feeds it
    trains on, which must be what these commands made, not what the modules a test worker ran before left there."""
    with isolated(servers) as settings:
        migrate_all(settings)
        yield settings


def listed_commands(env: dict) -> set[str]:
    """The commands ``--help`` lists, a group's by its own ``--help``: ``users add``, ``migrate``, ..."""
    def listed(*group: str) -> list[str]:
        shown = contactpoint(*group, "--help", env=env)
        assert shown.returncode == 0, shown.stderr
        return re.findall(r"^  (\S+)", shown.stdout.split("Commands:", 1)[1], re.M)

    found = set()
    for name in listed():
        inner = contactpoint(name, "--help", env=env).stdout
        found |= {f"{name} {sub}" for sub in listed(name)} if "Commands:" in inner else {name}
    return found


class Operator:
    """Runs commands as the operator at the command line, or for a person signed in by one; remembers which it ran."""

    def __init__(self, system: System):
        self.system = system
        self.ran: set[str] = set()
        self._last_step: dict[str, int] = {}

    def attempt(self, *args: str, input: str | None = None, **env: str) -> Finished:
        self.ran.add(command_of(args))
        return self.system.cli(*args, input=input, **env)

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Finished:
        finished = self.attempt(*args, input=input, **env)
        assert finished.returncode == 0, f"{args}: {finished.stderr}"
        return finished

    def json(self, *args: str, input: str | None = None, **env: str):
        return self(*args, "--json", input=input, **env).json()

    def signed_in(self, account: dict) -> dict[str, str]:
        """The variables that sign the account in for one command, with a one-time code it has not used yet."""
        factors = self.factors(account)
        return {"CP_USERNAME": account["username"], "CP_PASSWORD": factors["password"], "CP_OTP": factors["otp"]}

    def factors(self, account: dict) -> dict[str, str]:
        """The account's password and a one-time code it has not used yet, as its holder would type them.

        Codes are taken once each, in order: the step after the last one used, and never one already
        past (the command may start in the next step), waited for until it comes within the drift the
        identity service allows.
        """
        step = max(self._last_step.get(account["username"], 0) + 1, int(time.time() // STEP_SECONDS))
        wait_until(lambda: int(time.time() // STEP_SECONDS) + DRIFT_STEPS >= step, timeout=STEP_SECONDS + 5, what="the next one-time code")
        self._last_step[account["username"]] = step
        return {"password": account["password"], "otp": pyotp.TOTP(account["totp_secret"]).at(step * STEP_SECONDS)}

    @contextmanager
    def running(self, *args: str, env: dict | None = None, cwd: Path | None = None):
        """A command that runs until stopped: stopped with Ctrl-C on leaving, it must end cleanly."""
        self.ran.add(command_of(args))
        process = subprocess.Popen([*COMMAND, *args], env=env or self.system.env, cwd=cwd,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        assert process.returncode in (0, 130), stderr
        assert "Traceback" not in stderr, stderr


def command_of(args: tuple[str, ...]) -> str:
    return " ".join(args[:2]) if args[0] in GROUPS else args[0]


@pytest.mark.timeout(600)  # some thirty commands, each a process of its own, and the waits for one-time codes
def test_every_command_listed_by_help_runs_end_to_end(system, servers, tmp_path):
    run = Operator(system)
    run.ran.add("up")  # the system under test is ``contactpoint up``
    listed = listed_commands(system.env)

    keys = run.json("keys")
    assert keys["CP_TOKEN_KEY"]

    people = _accounts(run)
    children = _sources_feeds_and_reviews(run, tmp_path)
    _exports(run, tmp_path)
    _shielding_linkage_and_rules(run, children, tmp_path)
    _single_record_disclosure(run, people, children)
    _dead_letters(run, people)
    _audit_store(run, people)
    _commands_that_run_until_stopped(run, tmp_path)
    _teardown_on_a_run_of_its_own(run, servers)

    assert listed - run.ran == set(), "commands that --help lists and this test does not run"
    assert run.ran - listed == set(), "commands this test runs that --help does not list"


def _accounts(run: Operator) -> dict[str, dict]:
    def add(role: str, category: str, vetted: bool = True) -> dict:
        dates = ("--trained-on", TODAY, "--disclosure-on", TODAY) if vetted else ()
        created = run.json("users", "add", "--username", unique(role), "--email", f"{role}@example.org", "--la", LA,
                           "--category", category, "--role", role, *dates)
        assert created["enrolment_sent"] is False and created["status"] == "enrolling"
        return run.system.enrolled(created)

    people = {"requester": add("practitioner", "social_worker"), "approver": add("approver", "la_contactpoint_team"),
              "auditor": add("auditor", "security", vetted=False)}
    listed = {account["username"] for account in run.json("users", "list", "--la", LA)}
    assert {account["username"] for account in people.values()} <= listed

    other = add("practitioner", "social_worker")
    run("users", "suspend", other["username"], "--reason", "left the service")
    run("users", "unlock", other["username"])
    assert run.json("users", "reset-2fa", other["username"])["enrolment_url"] != other["enrolment_url"]
    run("users", "vet", other["username"], "--trained-on", TODAY, "--disclosure-on", TODAY)
    return people


def _sources_feeds_and_reviews(run: Operator, tmp_path: Path) -> list[str]:
    """Publishes three children and, for two of them, an unsure record of another source: one review links, one separates.

    Returns the children held.
    """
    school, health = unique("school"), unique("health")
    passwords = {source: run.json("sources", "add", source, "--name", source, "--la", LA, "--kinds", kinds)["amqp_password"]
                 for source, kinds in ((school, "school"), (health, "health"))}
    assert {school, health} <= {source["source_id"] for source in run.json("sources", "list")}

    pairs = [an_unsure_pair(first_service="school", second_service="health") for _ in range(2)]
    sure = [first for first, _ in pairs] + [a_feed_message()]
    unsure = [second for _, second in pairs]
    _publish(run, school, passwords[school], sure, tmp_path / "school.jsonl")
    _publish(run, health, passwords[health], unsure, tmp_path / "health.jsonl")

    ours = {record["child"]["family_name"] for record in unsure}  # other tests' tasks may wait in the same queue

    def our_tasks() -> list[dict]:
        return [task for task in run.json("review", "list") if task["record"]["demographics"]["family_name"] in ours]

    tasks = wait_until(lambda: len(mine := our_tasks()) >= 2 and mine, timeout=30, what="two review tasks")
    linked, separated = tasks[:2]
    assert run.json("review", "link", str(linked["task_id"]))["contactpoint_id"] == linked["candidate"]["contactpoint_id"]
    run("review", "separate", str(separated["task_id"]))
    wrongly_linked = next(record for record in unsure if record["child"]["family_name"] == linked["record"]["demographics"]["family_name"])
    split = run.json("review", "split", health, wrongly_linked["source_record_id"])
    assert split["from"] == linked["candidate"]["contactpoint_id"]

    run("sources", "disable", health)
    return [linked["candidate"]["contactpoint_id"], separated["candidate"]["contactpoint_id"]]


def _publish(run: Operator, source: str, password: str, records: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    run("feeds", "publish", "--source", source, str(path), CP_SOURCE_PASSWORD=password)


def _exports(run: Operator, tmp_path: Path) -> None:
    exported = run.json("directory", "export", str(tmp_path / "children.jsonl"))
    assert exported["children"] >= 3
    assert run.json("feeds", "republish")["republished"] >= 3
    pseudonymised, anonymised = tmp_path / "pseudonymised.jsonl", tmp_path / "anonymised.jsonl"
    released = run.json("disclose", "bulk", "--pseudonymised", str(pseudonymised), "--recipient", "ons")
    run("disclose", "bulk", "--anonymised", str(anonymised))
    # A handful of children share no combination with four others: k-anonymity suppresses every one.
    assert released["rows"] == len(pseudonymised.read_text().splitlines()) and released["suppressed"] >= 3
    assert anonymised.read_text()


def _shielding_linkage_and_rules(run: Operator, children: list[str], tmp_path: Path) -> None:
    run.json("directory", "la-team", "--la", LA, "--name", "Leeds ContactPoint team", "--phone", "0113 496 0999")
    assert run.json("shield", children[-1], "--reason", "a child in a refuge")["shielded"] is True
    assert run.json("unshield", children[-1], "--reason", "the family has moved on safely")["shielded"] is False
    assert run.json("feeds", "model")["version"]
    assert run.json("feeds", "accuracy")["labelled_pairs"] >= 0
    too_few = run.attempt("feeds", "train", "--out", str(tmp_path / "model.json"))
    assert too_few.returncode != 0 and "1,000" in too_few.stderr, too_few.stderr
    run.json("audit", "rule-setting", "--la", LA, "--rule", "out_of_hours", "--category", "social_worker", "--opens", "7", "--closes", "22")


def _single_record_disclosure(run: Operator, people: dict, children: list[str]) -> None:
    requester, approver = people["requester"], people["approver"]
    granted, refused = (wait_until(lambda: _requested(run, requester, child), timeout=90, interval=2,
                                   what="the disclosure service to hold the child") for child in children)
    approved = run.json("disclose", "approve", granted["request_id"], "--reason", "order seen", **run.signed_in(approver))
    assert approved["status"] == "approved"
    assert run.json("disclose", "refuse", refused["request_id"], "--reason", "no order attached", **run.signed_in(approver))["status"] == "refused"
    # As a person at a terminal gives them with nothing in the shell's history: the password and code on standard input.
    typed = run.factors(requester)
    listed = {r["request_id"]: r["status"] for r in run.json("disclose", "list", "--username", requester["username"], "--password-file", "-",
                                                             input=f"{typed['password']}\n{typed['otp']}\n")}
    assert listed == {granted["request_id"]: "approved", refused["request_id"]: "refused"}
    disclosed = json.loads(run("disclose", "read", granted["request_id"], **run.signed_in(requester)).stdout)
    assert disclosed["request"]["status"] == "read"
    assert disclosed["record"]["contactpoint_id"] == granted["contactpoint_id"]


def _requested(run: Operator, requester: dict, contactpoint_id: str) -> dict | None:
    """The request for the child's record, or None while the disclosure service does not hold the child yet."""
    asked = run.attempt("disclose", "request", contactpoint_id, "--ground", "court_order", "--reference", unique("order"), "--json",
                        **run.signed_in(requester))
    if asked.returncode != 0:
        assert "is held" in asked.stderr, asked.stderr
        return None
    return asked.json()


def _dead_letters(run: Operator, people: dict) -> None:
    """Two audit events the audit service never took (as after an outage): one a service sent, which a replay sends again as
    that service and the audit store then holds; one a partner sent, which only the partner can send again, so it stays."""
    prefix = run.system.env["CP_NAME_PREFIX"]
    ours, partners = (audit_event("directory", "la_team_set", subject=LA,
                                  actor={"username": unique("cli"), "la_code": LA, "role": "operator", "category": None}) for _ in range(2))
    with Connection(run.system.env["CP_AMQP_URL"]) as admin:
        for event, sender in ((first_of_a_producer(ours), f"{prefix}cp-directory"), (first_of_a_producer(partners), unique("school"))):
            admin.Producer().publish(event.encode(), exchange=DEAD.name, routing_key=AUDIT_EVENTS.name, content_type="application/json",
                                     message_id=event.message_id, headers={
                                         "x-reason": json.dumps({"code": "unavailable", "message": "the database could not be reached"}),
                                         "x-original-exchange": event.exchange, "x-original-routing-key": event.routing_key,
                                         "x-original-user-id": sender})

    listed = run.json("dead-letters", "list", AUDIT_EVENTS.name)
    mine = {letter["message_id"]: letter for letter in listed["dead_letters"] if letter["message_id"] in (ours.message_id, partners.message_id)}
    assert set(mine) == {ours.message_id, partners.message_id}
    assert mine[ours.message_id]["reason"]["code"] == "unavailable" and mine[ours.message_id]["routing_key"] == ours.routing_key
    assert run.json("dead-letters", "list", f"{AUDIT_EVENTS.name}.dead")["dead_letters"] == listed["dead_letters"], "listing loses none"

    replayed = run.json("dead-letters", "replay", AUDIT_EVENTS.name)
    assert ours.message_id in replayed["replayed"] and partners.message_id in [kept["message_id"] for kept in replayed["kept"]]
    assert [letter["message_id"] for letter in run.json("dead-letters", "list", AUDIT_EVENTS.name)["dead_letters"]].count(ours.message_id) == 0

    auditor = run.system.login(people["auditor"])

    def audited(action: str, actor: str | None = None) -> list[dict]:
        answer = auditor.get("/api/v1/audit/events", params={"action": action, **({"actor": actor} if actor else {}), "limit": 1000})
        assert answer.status_code == 200, answer.text
        return answer.json()["events"]

    wait_until(lambda: audited("la_team_set", ours.body["actor"]["username"]), timeout=30, what="the replayed event to be stored")
    assert not audited("la_team_set", partners.body["actor"]["username"])
    listings = wait_until(lambda: [e for e in audited("dead_letters_listed") if e["subject"] == f"{AUDIT_EVENTS.name}.dead"],
                          timeout=30, what="the listings to be audited")
    assert len(listings) >= 3 and listings[0]["service"] == "audit" and listings[0]["actor"]["role"] == "operator"
    replays = wait_until(lambda: audited("dead_letters_replayed"), timeout=30, what="the replay to be audited")
    assert replays[0]["detail"]["message_ids"] == replayed["replayed"]


def first_of_a_producer(event):
    """The event as the first of a directory process of its own: this test process's own numbering of directory events
    goes on from whatever the modules its worker ran before numbered, and the store would then miss all of those."""
    return replace(event, body={**event.body, "producer": f"directory@every-command/{uuid.uuid4().hex[:8]}", "producer_seq": 1})


def _audit_store(run: Operator, people: dict) -> None:
    made = run.json("audit", "keygen")
    in_use = run.json("audit", "public-key")["checkpoint_public_key"]
    assert made["checkpoint_public_key"] != in_use
    verified = run.json("audit", "verify", "--public-key", in_use)
    assert verified["intact"] and verified["events"] > 0
    team = unique("soc")
    assert run.json("audit", "subscribe", team, "--binding", f"{LA}.#")["queue"] == f"cp.audit.{team}"

    suspended = people["auditor"]["username"]
    with run.running("audit", "tail", "--action", "identity.account_suspended", "--count", "1") as tail:
        # Only what is audited once the tail has bound its queue reaches it: suspend until one does.
        wait_until(lambda: run("users", "suspend", suspended) and tail.poll() is not None, timeout=60, interval=1,
                   what="the tail to print a suspension")
        printed, complaint = tail.communicate(timeout=10)
        assert tail.returncode == 0, complaint
        assert json.loads(printed)["action"] == "account_suspended"


def _commands_that_run_until_stopped(run: Operator, tmp_path: Path) -> None:
    port = free_port()
    with run.running("run", "portal", env={**run.system.env, "CP_HTTP_ADDR": f"127.0.0.1:{port}"}):
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/"), timeout=30, what="the portal run on its own to answer")
    with run.running("demo", "--children", "20", "--port", str(free_port()), cwd=tmp_path) as demo:
        wait_until(lambda: "Ctrl-C stops the demo" in demo.stdout.readline(), timeout=120, what="the demo to start")


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _teardown_on_a_run_of_its_own(run: Operator, servers) -> None:
    """``migrate`` makes a run's users and ``teardown`` removes them: on the system under test, that would cut the services off."""
    with isolated(servers) as settings:
        env = environment_for(settings)
        for command in ("migrate", "teardown"):
            run.ran.add(command)
            done = contactpoint(command, env=env, timeout=120)
            assert done.returncode == 0, done.stderr
        admin = BrokerAdmin(settings.amqp_admin_url, settings.vhost)
        assert not {user for user in admin.users_of(settings.vhost) if user.startswith(settings.name_prefix)}
