"""``contactpoint demo``: every service in one process, on a PostgreSQL server of its own, kombu's in-memory broker and an in-memory Redis.

For someone with nothing installed to try ContactPoint. It starts afresh each time in
``./.contactpoint/``, seeds a synthetic population through the same feed path partners use,
and prints the demo accounts with their roles, passwords and TOTP secrets. Searching forbids
browsing, so it prints a few example children with what to type to find each, one of them shielded;
and so that every role has something to do, it leaves a match to review, a disclosure request
waiting for the approver and an alert for the auditor, each made as the people of the demo would make it.
"""
from __future__ import annotations

import random
from datetime import date
import signal
import threading
import time
from importlib import import_module
from pathlib import Path

import click
import pyotp
from sqlalchemy import func, select
from tqdm import tqdm

from contactpoint import partner, synthetic
from contactpoint.demo_database import demo_database
from contactpoint.keys import with_fresh_keys
from services.identity.credentials import new_password
from shared.contracts.requests import (
    ADD_SOURCE, ADD_USER, COMPLETE_ENROLMENT, LIST_REVIEWS, OPEN_ENROLMENT, READ_CHILD, REQUEST_DISCLOSURE, SEARCH_CHILDREN,
    SET_LA_TEAM, SHIELD_CHILD,
)
from shared.errors import DomainError
from shared.messaging import topology
from shared.messaging.connection import connect
from shared.migrations import upgrade
from shared.principals import ANSWERING, APPROVER, AUDITOR, LA_ADMIN, PRACTITIONER
from shared.settings import Settings

HOME = Path(".contactpoint")
DEMO_LA = "E08000035"
# A practitioner of another LA, whose look at one of the demo LA's children raises the auditor's alert.
VISITING_LA = "E09000001"
DEMO_ACCOUNTS = (
    (PRACTITIONER, "social_worker", "demo.practitioner", DEMO_LA),
    (AUDITOR, "security", "demo.auditor", DEMO_LA),
    (LA_ADMIN, "la_contactpoint_team", "demo.admin", DEMO_LA),
    (APPROVER, "la_contactpoint_team", "demo.approver", DEMO_LA),
    (PRACTITIONER, "social_worker", "demo.visitor", VISITING_LA),
)
ROLE_NAMES = {PRACTITIONER: "practitioner", AUDITOR: "auditor", LA_ADMIN: "LA administrator", APPROVER: "approver"}
EXAMPLE_CHILDREN = 4
VISITED = 2  # the example child demo.visitor looks at
# The last example child, shielded by the LA's ContactPoint team: their record names the team instead of where they are.
DEMO_LA_TEAM = {"name": "Demo LA ContactPoint team", "phone": "0113 496 0999", "email": "contactpoint@demo-la.example"}
DISCLOSURE_REFERENCE = "DEMO-ORDER-1"
# The child two sources disagree about (a slip in the given name, another home), not in the population.
UNSURE_SEED = 1962
# Which synthetic sources send which services' records, so children are linked across sources.
DEMO_SOURCES = (
    ("demo-schools", "Demo schools MIS", ("school",)),
    ("demo-health", "Demo community health", ("health", "sexual_health", "mental_health")),
)


def embedded_settings(port: int, database_url: str) -> Settings:
    return with_fresh_keys(Settings(
        amqp_url="memory://", amqp_admin_url="", database_url=database_url,
        redis_url="memory://", http_addr=f"127.0.0.1:{port}",
    ))


def run_demo(port: int, children: int) -> None:
    with demo_database(HOME / "postgres") as database_url:
        _serve(embedded_settings(port, database_url), children)


def _serve(settings: Settings, children: int) -> None:
    from services.portal.server import serving

    upgrade(settings.database_url)
    services = {name: import_module(f"services.{name}.bootstrap").bootstrap(settings) for name in ANSWERING}
    with connect(settings) as connection:
        topology.declare(connection)  # before any service asks another (feeds asks the provisioner for each source's user)
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(stop,), name=name, daemon=True) for name, s in services.items()]
    for thread in threads:
        thread.start()
    server = serving(settings)
    _stop_on_signals()
    try:
        accounts = [_account(services["identity"], *account) for account in DEMO_ACCOUNTS]
        unsure = _seed(settings, services, children)
        examples = _examples(children)
        _leave_work_for_each_role(services, examples, unsure)
        _introduce(settings, accounts, examples, unsure)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the demo even where it was started with SIGINT ignored (a background job of a shell)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)


def _account(identity, role: str, category: str, username: str, la_code: str) -> dict:
    """A demo account, enrolled by the demo as its holder would enrol it from the link: the newcomer is every holder."""
    today = time.strftime("%Y-%m-%d")
    created = identity.perform(ADD_USER, {
        "username": username, "email": f"{username}@example.org", "la_code": la_code, "category": category, "role": role,
        "trained_on": today, "disclosure_on": today, "actor": None,
    })
    return {**enrolled_as_holder(identity, created), "role": role, "la_code": la_code}


def enrolled_as_holder(identity, created: dict) -> dict:
    """The account ``users add`` made, with the password and TOTP secret its holder enrolled it with from the link.

    Opens the link, chooses a password and registers the secret with the code of the time step before now (identity
    allows one step of drift), so that the first sign-in, with the code of now, is not a code used before."""
    token = created["enrolment_url"].split("#", 1)[1]
    secret = identity.perform(OPEN_ENROLMENT, {"token": token})["totp_secret"]
    password, totp = new_password(), pyotp.TOTP(secret)
    while time.time() % totp.interval > totp.interval - 3:  # the last step's code holds only until this step ends
        time.sleep(0.5)
    previous_step = int(time.time() // totp.interval) - 1
    identity.perform(COMPLETE_ENROLMENT, {"token": token, "password": password, "otp": totp.at(previous_step * totp.interval)})
    return {**created, "password": password, "totp_secret": secret}


def _seed(settings: Settings, services: dict, children: int) -> synthetic.Child:
    """The population through the feeds, and one more child whom two sources describe differently: the match to review."""
    for source_id, name, kinds in DEMO_SOURCES:
        services["feeds"].perform(ADD_SOURCE, {"source_id": source_id, "name": name, "la_code": DEMO_LA, "kinds": list(kinds), "actor": None})
    rng = random.Random(2007)
    messages = [
        (source_id, synthetic.feed_message(child, source_record_id=f"{source_id}-{child.person_id}", sequence=1, service=rng.choice(kinds), rng=rng))
        for child in synthetic.population(children)
        for source_id, _, kinds in DEMO_SOURCES
        if source_id == "demo-schools" or child.person_id % 3 == 0
    ]
    unsure, unsure_messages = _an_unsure_pair(rng)
    with connect(settings) as connection:
        for _ in tqdm(partner.publish(connection, messages + unsure_messages), total=len(messages) + 2, unit="msg",
                      desc="publishing the synthetic population"):
            pass
    _wait_until_held(services["directory"], children + len(unsure_messages))
    return unsure


def _an_unsure_pair(rng: random.Random) -> tuple[synthetic.Child, list[tuple[str, dict]]]:
    """Two sources' records of what may be one child: a digit of the birth date different, homes in different districts,
    no identifier, one without the middle name; sure enough to ask a person, not to link."""
    [child] = synthetic.population(1, seed=UNSURE_SEED)
    school = synthetic.feed_message(child, source_record_id="demo-schools-unsure", sequence=1, service="school", rng=rng, identifiers=())
    health = synthetic.feed_message(child, source_record_id="demo-health-unsure", sequence=1, service="health", rng=rng, identifiers=())
    born = date.fromisoformat(school["child"]["date_of_birth"])
    health["child"] |= {"date_of_birth": born.replace(day=_one_digit_off(born.day)).isoformat(), "given_names": child.given_names[:1],
                        "address": {"lines": ["9 Low Road"], "town": "York", "postcode": "YO1 7HH"}}
    return child, [("demo-schools", school), ("demo-health", health)]


def _one_digit_off(day: int) -> int:
    """Another day of the same month whose number differs from ``day`` in one digit, as a slip of the keyboard makes it."""
    return day - 1 if day % 10 == 9 or day >= 28 else day + 1


def _examples(children: int) -> list[synthetic.Child]:
    """The first few children of the population, each of the demo LA's sources."""
    return list(synthetic.population(min(children, EXAMPLE_CHILDREN)))


def _leave_work_for_each_role(services: dict, examples: list[synthetic.Child], unsure: synthetic.Child) -> None:
    """A disclosure request for the approver, an alert for the auditor, the match review for the LA administrator and a
    shielded child, made by the demo's people through the same requests the page puts."""
    practitioner, visitor, admin = _actor("demo.practitioner"), _actor("demo.visitor"), _actor("demo.admin")
    first = _contactpoint_id(services["directory"], practitioner, examples[0])
    _when_ready(lambda: services["disclosure"].perform(REQUEST_DISCLOSURE, {
        "contactpoint_id": first, "ground": "court_order", "reference": DISCLOSURE_REFERENCE, "actor": practitioner,
    }), what="the disclosure service to hold the example child")
    looked_at = _contactpoint_id(services["directory"], visitor, examples[VISITED])
    services["directory"].perform(READ_CHILD, {"purpose": "safeguarding", "contactpoint_id": looked_at, "actor": visitor})
    _when_ready(lambda: services["feeds"].perform(LIST_REVIEWS, {"actor": None}), what="the match review task")
    services["directory"].perform(SET_LA_TEAM, {**DEMO_LA_TEAM, "la_code": None, "actor": admin})
    shielded = _contactpoint_id(services["directory"], practitioner, examples[-1])
    services["feeds"].perform(SHIELD_CHILD, {"contactpoint_id": shielded, "reason": "a demo child in a refuge", "actor": admin})
    _when_ready(lambda: _held_shielded(services["directory"], shielded), what="the directory to hold the example child shielded")


def _held_shielded(directory, contactpoint_id: str) -> bool:
    from services.directory.models import Child

    with directory.db.sessions() as session:
        return bool(session.scalar(select(Child.shielded).where(Child.contactpoint_id == contactpoint_id)))


def _actor(username: str) -> dict:
    role, category, _, la_code = next(account for account in DEMO_ACCOUNTS if account[2] == username)
    return {"username": username, "la_code": la_code, "role": role, "category": category, "sees_sensitive": True}


def _contactpoint_id(directory, actor: dict, child: synthetic.Child) -> str:
    found = directory.perform(SEARCH_CHILDREN, {"purpose": "safeguarding", "criteria": {"identifier": child.nhs_number}, "actor": actor})
    return found["results"][0]["contactpoint_id"]


def _when_ready(attempt, *, what: str, timeout: float = 30.0):
    """The first answer of ``attempt`` that is neither a refusal nor empty: another service may not have caught up yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = attempt()
            if answer:
                return answer
        except DomainError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise click.ClickException(f"the demo gave up waiting for {what}")
        time.sleep(0.2)


def _wait_until_held(directory, expected: int) -> None:
    from services.directory.models import Child

    with tqdm(total=expected, unit="child", desc="children in the directory") as progress:
        held = 0
        while held < expected:
            time.sleep(0.5)
            with directory.db.sessions() as session:
                now_held = session.scalar(select(func.count()).select_from(Child))
            progress.update(now_held - held)
            held = now_held


def _introduce(settings: Settings, accounts: list[dict], examples: list[synthetic.Child], unsure: synthetic.Child) -> None:
    click.echo(f"\nContactPoint demo: http://{settings.http_host}:{settings.http_port}/\n")
    click.echo("Demo accounts, each enrolled by the demo as its holder would enrol it from the link mailed to them")
    click.echo("(outside the demo, no one but an account's holder ever sees its password or TOTP secret).")
    click.echo("Add each TOTP secret to an authenticator app for the one-time code, or run")
    click.echo("  .venv/bin/python -c \"import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).now())\" SECRET")
    for account in accounts:
        click.echo(f"  {account['username']:<20} password {account['password']:<18} TOTP secret {account['totp_secret']}")
    click.echo("Their roles:")
    for account in accounts:
        click.echo(f"  {account['username']:<20} {ROLE_NAMES[account['role']]} of {account['la_code']}")
    click.echo("\nChildren to find (ContactPoint allows no browsing): sign in as demo.practitioner, choose a purpose, and type")
    for child, criteria in zip(examples, _what_to_type(examples)):
        shielded = " (shielded: the record names the LA team instead of the address and who works with the child)" \
            if child is examples[-1] else ""
        click.echo(f"  {' '.join(child.given_names)} {child.family_name}: {criteria}{shielded}")
    click.echo("\nWaiting for each role:")
    click.echo(f"  demo.admin     Match reviews: {' '.join(unsure.given_names)} {unsure.family_name}, sent by two sources that disagree")
    click.echo(f"  demo.approver  Disclosure requests: {DISCLOSURE_REFERENCE}, demo.practitioner's court order for "
               f"{' '.join(examples[0].given_names)} {examples[0].family_name}")
    click.echo(f"  demo.auditor   Alerts: demo.visitor, of {VISITING_LA}, opened "
               f"{' '.join(examples[VISITED].given_names)} {examples[VISITED].family_name}'s record")
    click.echo(f"  demo.admin     Shielding: {' '.join(examples[-1].given_names)} {examples[-1].family_name} is shielded; lift it there")
    click.echo("\nReloading the page signs you out (the page says so): it keeps your session in its memory alone.")
    click.echo("\nCtrl-C stops the demo.")


def _what_to_type(examples: list[synthetic.Child]) -> list[str]:
    """One way each of finding the example children, as the page's search asks for it."""
    ways = [
        lambda c: f"NHS number {c.nhs_number}",
        lambda c: f"family name {c.family_name}, date of birth {c.date_of_birth.day} {c.date_of_birth.month} {c.date_of_birth.year}",
        lambda c: f"family name {c.family_name}, given name {c.given_names[0]}, postcode {c.postcode}",
    ]
    return [ways[index % len(ways)](child) for index, child in enumerate(examples)]
