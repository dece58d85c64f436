"""The page with a keyboard alone: signing in, finding a child, opening their record and signing out, each control
reached by Tab and used by Enter or Space, focus moving to what each step shows."""
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser.conftest import PublishedChild, add_account

pytestmark = pytest.mark.e2e

MOST_TABS = 40


def tab_to(page: Page, control: Locator, *, backwards: bool = False) -> None:
    """Presses Tab (Shift+Tab backwards) until ``control`` has the focus, as a keyboard user moves through the page."""
    for _ in range(MOST_TABS):
        if control.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{control} is not reached by {'Shift+' if backwards else ''}Tab")


def test_a_practitioner_signs_in_searches_opens_a_record_and_signs_out_with_the_keyboard_alone(page: Page, shoot, system,
                                                                                                published_child: PublishedChild):
    practitioner = add_account(system, "practitioner", "social_worker")
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_focused()
    tab_to(page, page.locator("#sign-in-form").get_by_label("Username"))
    page.keyboard.type(practitioner.username)
    page.keyboard.press("Tab")
    page.keyboard.type(practitioner.password)
    page.keyboard.press("Tab")
    expect(page.locator("#sign-in-form").get_by_label("One-time code")).to_be_focused()
    page.keyboard.type(practitioner.one_time_code())
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Find a child", level=1)).to_be_focused()
    search = page.locator("#search-form")
    tab_to(page, search.get_by_label("Safeguarding"))
    page.keyboard.press("Space")
    expect(search.get_by_label("Safeguarding")).to_be_checked()
    tab_to(page, search.get_by_label("Family name"))
    page.keyboard.type(published_child.family_name)
    year, month, day = published_child.date_of_birth.split("-")
    tab_to(page, search.get_by_label("Day"))
    for part in (day, month, year):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    tab_to(page, search.get_by_role("button", name="Search"))
    page.keyboard.press("Enter")

    name = f"{' '.join(published_child.given_names)} {published_child.family_name}"
    expect(page.get_by_role("heading", name="1 child found")).to_be_focused()
    shoot("results-by-keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=name)).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=name, level=1)).to_be_focused()
    shoot("record-by-keyboard")
    tab_to(page, page.get_by_role("button", name="Sign out"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_focused()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    shoot("signed-out-by-keyboard")


def test_the_header_finds_a_child_from_a_record_its_hovered_links_stay_readable_and_a_reload_says_it_signed_out(
        page: Page, shoot, system, published_child: PublishedChild):
    from tests.e2e.browser.test_portal_page_lookup import search_for, sign_in

    page.goto("/")
    sign_in(page, add_account(system, "approver", "la_contactpoint_team"))
    search_for(page, published_child)
    page.get_by_role("link", name=f"{' '.join(published_child.given_names)} {published_child.family_name}").click()
    expect(page.get_by_text("You opened this record for safeguarding")).to_be_visible()

    find = page.get_by_role("banner").get_by_role("link", name="Find a child")
    find.hover()
    shoot("record-with-a-hovered-header-link")
    find.click()
    expect(page.get_by_role("heading", name="Find a child", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="1 child found")).to_be_visible()
    shoot("back-at-the-search")

    page.reload()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Reloading the page signed you out")
    shoot("signed-out-by-a-reload")
