"""The page in a real browser: Debian's Chromium, headless, driven by Playwright, against ``contactpoint up``.

Chromium comes from the distribution (``make browsers``), never from ``playwright install``:
the machines that run these tests may not download browser builds. Each test gets a fresh
browser context, so no sign-in leaks between tests. Every view a test reaches is checked by
axe-core against WCAG 2.2 A and AA, failing on any violation, and leaves a screenshot under
``artefacts/<test>/`` (kept out of git) for a person to look at. A test fails too when the page
asked for a file the portal does not have, or its script failed.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import System
from tests.support import unique, unique_name, wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTEFACTS = Path(__file__).with_name("artefacts")
FAILED = pytest.StashKey[bool]()
LA = "E08000035"
# Each step waits on services that answer over the broker; generous, since a test machine may be busy.
STEP_TIMEOUT_MS = 15_000
expect.set_options(timeout=STEP_TIMEOUT_MS)
TODAY = "2026-01-05"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browsers` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on the page as it is now, one line each with the elements at fault."""
    found = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_A_AA}, "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(" ".join(node["target"]) + " " + node.get("failureSummary", "").replace("\n", " ")
                                                                    for node in v["nodes"])
            for v in found.response["violations"]]


class ViewsReached:
    """Each view one test reaches, in order: a numbered full-page screenshot, and axe-core's check that it has no violation."""

    def __init__(self, page: Page, folder: Path):
        self.page, self.folder, self.taken = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def __call__(self, name: str, *, check: bool = True) -> Path:
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if check:
            violations = accessibility_violations(self.page)
            assert not violations, f"{name}: " + "\n".join(violations)
        return path


@pytest.fixture
def page(browser: Browser, system: System) -> Iterator[Page]:
    context = browser.new_context(base_url=system.base_url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    # The API's refusals are answers the page shows; anything else the page asks for must be there.
    missing = []
    page.on("response", lambda response: missing.append(f"{response.status} {response.url}")
            if response.status >= 400 and "/api/" not in response.url else None)
    page.on("pageerror", lambda error: missing.append(f"script error: {error}"))
    try:
        yield page
    finally:
        context.close()
    assert not missing, "\n".join(missing)


@pytest.fixture
def shoot(page: Page, request) -> Iterator[ViewsReached]:
    views = ViewsReached(page, ARTEFACTS / re.sub(r"\W+", "-", request.node.name).strip("-"))
    yield views
    if request.node.stash.get(FAILED, False):
        views("at-failure", check=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    totp_secret: str

    def one_time_code(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


def add_account(system: System, role: str, category: str, la: str = LA) -> Account:
    created = system.add_account(role, category, la, vetted=role in ("practitioner", "approver", "la_admin"))
    return Account(created["username"], created["password"], created["totp_secret"])


@dataclass(frozen=True)
class PublishedChild:
    family_name: str
    given_names: tuple[str, ...]
    date_of_birth: str
    practitioner: str
    carer: str


def child_feed_message(source_record_id: str, child: PublishedChild) -> dict:
    return {
        "schema": "contactpoint.feed.v1", "source_record_id": source_record_id, "sequence": 1, "action": "upsert",
        "child": {
            "family_name": child.family_name, "given_names": list(child.given_names), "former_family_names": [],
            "date_of_birth": child.date_of_birth, "gender": "female",
            "address": {"lines": ["22 Park Row"], "town": "Leeds", "postcode": "LS1 5AB"}, "identifiers": {},
        },
        "carers": [{"name": child.carer, "relationship": "mother", "parental_responsibility": True, "phone": "0113 496 0000"}],
        "involvement": {
            "service": "youth_offending", "organisation": "Leeds YOT",
            "practitioner": {"name": child.practitioner, "phone": "0113 496 0001", "email": "sam.patel@example.org"},
            "lead_professional": True, "caf_completed": False, "sensitive": False, "started_on": "2024-01-10", "ended_on": None,
        },
        "consent": {"retain_to_25": False},
    }


@pytest.fixture(scope="module")
def published_child(system: System, tmp_path_factory) -> PublishedChild:
    """A child a partner system published through the broker, held by the directory."""
    # A date of birth of its own: names are matched by their letters, so two modules' children of one birthday are one child.
    born = date(2012, 1, 1) + timedelta(days=random.randrange(5 * 365))
    child = PublishedChild(unique_name("Browne"), ("Bethany", "Rose"), born.isoformat(), "Sam Patel", "Jo Browne")
    return publish(system, tmp_path_factory, unique("browser-yot"), "YOT-B-1", child)


def publish(system: System, tmp_path_factory, source_id: str, source_record_id: str, child: PublishedChild) -> PublishedChild:
    """The child, published by a partner system of its own (``source_id``) as ``contactpoint feeds publish`` does, once the
    directory holds it."""
    source = system.cli("sources", "add", source_id, "--name", "Leeds YOT", "--la", LA, "--kinds", "youth_offending", "--json").json()
    feed = tmp_path_factory.mktemp("feed") / "children.jsonl"
    feed.write_text(json.dumps(child_feed_message(source_record_id, child)) + "\n")
    published = system.cli("feeds", "publish", "--source", source_id, str(feed), CP_SOURCE_PASSWORD=source["amqp_password"])
    assert published.returncode == 0, published.stderr
    reader = system.login(asdict(add_account(system, "practitioner", "social_worker")))
    criteria = {"family_name": child.family_name, "date_of_birth": child.date_of_birth, "purpose": "safeguarding"}

    def held():
        answer = reader.get("/api/v1/children/search", params=criteria)
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]

    wait_until(held, timeout=30, what="the published child to be held by the directory")
    return child

