"""Shielding in Chromium: an LA's ContactPoint team sets its contact and shields a child; a practitioner then finds the
child, and the record says plainly what it does not show and whom to ask."""
from __future__ import annotations

from dataclasses import asdict

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import LA, PublishedChild, add_account, publish
from tests.e2e.browser.test_portal_page_lookup import search_for, sign_in
from tests.support import unique, unique_name

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published_child(system, tmp_path_factory) -> PublishedChild:
    """A child of this module's own, unlike the other modules' children, so that shielding it shields no one else's."""
    child = PublishedChild(unique_name("Whitcombe"), ("Harriet", "Skye"), "2013-02-11", "Sam Patel", "Jo Whitcombe")
    return publish(system, tmp_path_factory, unique("browser-shield"), "YOT-S-1", child)


def test_an_la_team_shields_a_child_and_a_reader_is_told_what_is_withheld_and_whom_to_ask(page: Page, shoot, system,
                                                                                        published_child: PublishedChild):
    reader = system.login(asdict(add_account(system, "practitioner", "social_worker")))
    (found,) = reader.get("/api/v1/children/search", params={
        "family_name": published_child.family_name, "date_of_birth": published_child.date_of_birth, "purpose": "safeguarding"}).json()["results"]
    admin = add_account(system, "la_admin", "la_contactpoint_team", la=LA)
    teacher = add_account(system, "practitioner", "teacher")

    page.goto("/")
    sign_in(page, admin)
    page.get_by_role("link", name="Shielding").click()
    expect(page.get_by_role("heading", name="Shielding", level=1)).to_be_visible()
    team = page.locator("#la-team-form")
    team.get_by_label("Team name").fill("Leeds ContactPoint team")
    team.get_by_label("Phone").fill("0113 496 0999")
    team.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("now told to contact Leeds ContactPoint team")).to_be_visible()
    shielding = page.locator("#shielding-form")
    shielding.get_by_label("ContactPoint ID").fill(found["contactpoint_id"])
    shielding.get_by_label("Reason").fill("moved to a refuge")
    shielding.get_by_role("button", name="Shield", exact=True).click()
    expect(page.get_by_text(f"{found['contactpoint_id']} is shielded")).to_be_visible()
    shoot("shielded")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, teacher)
    search_for(page, published_child)
    page.get_by_role("link", name=f"{' '.join(published_child.given_names)} {published_child.family_name}").click()
    expect(page.locator(".govuk-tag", has_text="Shielded record")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("0113 496 0999")
    withheld = page.locator("#record-withheld")
    expect(withheld).to_contain_text("The address and postcode are not shown")
    expect(withheld).to_contain_text("1 organisation is not shown")
    expect(page.locator("main")).not_to_contain_text("Leeds YOT")
    expect(page.locator("main")).not_to_contain_text(published_child.practitioner)
    shoot("shielded-record")
