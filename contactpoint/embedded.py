"""``contactpoint demo``: every service in one process, on a PostgreSQL server of its own, kombu's in-memory broker and an in-memory Redis.

For someone with nothing installed to try ContactPoint. It starts afresh each time in
``./.contactpoint/``, seeds a synthetic population through the same feed path partners use,
and prints the demo accounts with their passwords and TOTP secrets.
"""
from __future__ import annotations

import random
import signal
import threading
import time
from importlib import import_module
from pathlib import Path

import click
from sqlalchemy import func, select
from tqdm import tqdm

from contactpoint import partner, synthetic
from contactpoint.demo_database import demo_database
from contactpoint.keys import with_fresh_keys
from shared.contracts.requests import ADD_SOURCE, ADD_USER
from shared.messaging import topology
from shared.messaging.connection import connect
from shared.migrations import upgrade
from shared.principals import ANSWERING
from shared.settings import Settings

HOME = Path(".contactpoint")
DEMO_LA = "E08000035"
DEMO_ACCOUNTS = (
    ("practitioner", "social_worker", "demo.practitioner"),
    ("auditor", "security", "demo.auditor"),
    ("la_admin", "la_contactpoint_team", "demo.admin"),
    ("approver", "la_contactpoint_team", "demo.approver"),
)
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
        _seed(settings, services, children)
        _introduce(settings, accounts)
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


def _account(identity, role: str, category: str, username: str) -> dict:
    today = time.strftime("%Y-%m-%d")
    return identity.perform(ADD_USER, {
        "username": username, "la_code": DEMO_LA, "category": category, "role": role,
        "trained_on": today, "disclosure_on": today, "actor": None,
    })


def _seed(settings: Settings, services: dict, children: int) -> None:
    for source_id, name, kinds in DEMO_SOURCES:
        services["feeds"].perform(ADD_SOURCE, {"source_id": source_id, "name": name, "la_code": DEMO_LA, "kinds": list(kinds), "actor": None})
    rng = random.Random(2007)
    messages = [
        (source_id, synthetic.feed_message(child, source_record_id=f"{source_id}-{child.person_id}", sequence=1, service=rng.choice(kinds), rng=rng))
        for child in synthetic.population(children)
        for source_id, _, kinds in DEMO_SOURCES
        if source_id == "demo-schools" or child.person_id % 3 == 0
    ]
    with connect(settings) as connection:
        for _ in tqdm(partner.publish(connection, messages), total=len(messages), unit="msg", desc="publishing the synthetic population"):
            pass
    _wait_until_held(services["directory"], children)


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


def _introduce(settings: Settings, accounts: list[dict]) -> None:
    click.echo(f"\nContactPoint demo: http://{settings.http_host}:{settings.http_port}/\n")
    click.echo("Demo accounts. Add each TOTP secret to an authenticator app for the one-time code, or run")
    click.echo("  .venv/bin/python -c \"import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).now())\" SECRET")
    for account in accounts:
        click.echo(f"  {account['username']:<20} password {account['password']:<18} TOTP secret {account['totp_secret']}")
    click.echo("\nCtrl-C stops the demo.")
