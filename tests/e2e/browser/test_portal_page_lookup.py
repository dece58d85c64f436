"""The page at ``/`` in Chromium: a practitioner signs in with a one-time code, finds a child for a
purpose and sees who works with them; an auditor then sees that lookup in the trail."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Account, PublishedChild, add_account

pytestmark = pytest.mark.e2e


def sign_in(page: Page, account: Account) -> None:
    form = page.locator("#sign-in-form")
    form.get_by_label("Username").fill(account.username)
    form.get_by_label("Password").fill(account.password)
    form.get_by_label("One-time code").fill(account.one_time_code())
    form.get_by_role("button", name="Sign in").click()


def search_for(page: Page, child: PublishedChild, purpose: str = "Safeguarding") -> None:
    form = page.locator("#search-form")
    form.get_by_label(purpose).check()
    form.get_by_label("Family name").fill(child.family_name)
    year, month, day = child.date_of_birth.split("-")
    form.get_by_label("Day").fill(day)
    form.get_by_label("Month").fill(month)
    form.get_by_label("Year").fill(year)
    form.get_by_role("button", name="Search").click()


def test_a_practitioner_finds_a_child_and_an_auditor_sees_the_lookup(page, shoot, system, published_child: PublishedChild):
    practitioner = add_account(system, "practitioner", "social_worker")
    auditor = add_account(system, "auditor", "security")
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot("sign-in")

    sign_in(page, practitioner)
    expect(page.get_by_role("heading", name="Find a child")).to_be_visible()
    expect(page.get_by_text("ContactPoint does not allow browsing")).to_be_visible()
    shoot("search")

    search_for(page, published_child)
    result = page.get_by_role("link", name=f"{' '.join(published_child.given_names)} {published_child.family_name}")
    expect(result).to_be_visible()
    shoot("results")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{' '.join(published_child.given_names)} {published_child.family_name}")
    involvement = page.locator(".govuk-summary-card", has_text="Leeds YOT")
    expect(involvement).to_contain_text(published_child.practitioner)
    expect(involvement.get_by_role("link", name="sam.patel@example.org")).to_be_visible()
    expect(page.locator(".govuk-summary-card", has_text=published_child.carer)).to_contain_text("Mother")
    shoot("record")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    sign_in(page, auditor)
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    filters = page.locator("#audit-form")
    filters.get_by_label("Username").fill(practitioner.username)
    filters.get_by_role("button", name="Show events").click()
    events = page.locator("#events tbody")
    expect(events.get_by_role("cell", name="Search", exact=True)).to_be_visible()
    expect(events.get_by_role("cell", name=re.compile("^Record read: "))).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Events, newest first")
    shown = events.get_by_role("row").all_inner_texts()
    read_at = next(i for i, row in enumerate(shown) if "Record read: " in row)
    assert read_at < next(i for i, row in enumerate(shown) if "\tSearch\t" in row), shown  # the read came after the search
    shoot("audit-events")

    filters.get_by_label("Action").select_option("read")
    filters.get_by_role("button", name="Show events").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^1 event$"))).to_be_visible()
    expect(events.get_by_role("cell", name="Search", exact=True)).to_have_count(0)

    today, yesterday = date.today(), date.today() - timedelta(days=1)
    for box, day in (("From", today), ("To", yesterday)):
        group = filters.get_by_role("group", name=box)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    filters.get_by_role("button", name="Show events").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="‘To’ must be the same day as ‘From’ or after it")).to_be_visible()
    shoot("audit-dates-refused")
    filters.get_by_role("group", name="To").get_by_label("Day").fill(str(today.day))
    filters.get_by_role("group", name="To").get_by_label("Month").fill(str(today.month))
    filters.get_by_role("group", name="To").get_by_label("Year").fill(str(today.year))
    filters.get_by_role("button", name="Show events").click()
    expect(events.get_by_role("cell", name=re.compile("^Record read: "))).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page.locator(".govuk-error-message")).to_have_count(0)
    shoot("audit-events-of-today")
