"""The page for each role in Chromium: plain errors, the idle timeout warning, an la_admin's accounts and their vetting,
an auditor's alerts, and a single-record disclosure from a practitioner's request through an approver's decision to its one reading."""
import re
from dataclasses import asdict

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import STEP_TIMEOUT_MS, Account, PublishedChild, ViewsReached, add_account
from tests.e2e.browser.test_portal_page_lookup import search_for, sign_in
from tests.support import code_of_the_step_before, unique, wait_until

pytestmark = pytest.mark.e2e

OTHER_LA = "E09000001"


def contactpoint_id_of(client, child: PublishedChild) -> str:
    criteria = {"family_name": child.family_name, "date_of_birth": child.date_of_birth, "purpose": "safeguarding"}
    answer = client.get("/api/v1/children/search", params=criteria)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]["contactpoint_id"]


def test_wrong_details_and_a_trawl_are_shown_in_an_error_summary(page: Page, shoot, system, published_child):
    practitioner = add_account(system, "practitioner", "teacher")
    page.goto("/")
    form = page.locator("#sign-in-form")
    form.get_by_label("Username").fill(practitioner.username)
    form.get_by_label("Password").fill("not-the-password")
    form.get_by_label("One-time code").fill("000000")
    form.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text("not right")
    expect(page).to_have_title("Error: Sign in – ContactPoint")
    shoot("sign-in-refused")

    sign_in(page, practitioner)
    search = page.locator("#search-form")
    search.get_by_label("Family name").fill(published_child.family_name)
    search.get_by_role("button", name="Search").click()
    expect(summary.get_by_role("link", name="Select why you are searching")).to_be_visible()
    summary.get_by_role("link", name="Select why you are searching").click()
    expect(page.get_by_label("Safeguarding")).to_be_focused()

    search.get_by_label("Wellbeing").check()
    search.get_by_role("button", name="Search").click()
    expect(summary).to_contain_text("not enough to identify one child")
    expect(page.locator(".govuk-form-group--error")).to_have_count(0)
    shoot("trawl-refused")

    search.get_by_label("Family name").fill("B")
    search.get_by_label("Day").fill("1")
    search.get_by_label("Month").fill("1")
    search.get_by_label("Year").fill("2015")
    search.get_by_role("button", name="Search").click()
    expect(summary.get_by_role("link", name="Family name must be a whole name of at least 2 letters, without wildcards")).to_be_visible()
    expect(page.locator(".govuk-form-group--error")).to_contain_text("Family name must be a whole name")
    expect(search.get_by_label("Family name")).to_have_class(re.compile("govuk-input--error"))
    expect(page).to_have_title("Error: Find a child – ContactPoint")
    shoot("short-name-refused")

    search.get_by_label("Family name").fill(published_child.family_name)
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No child found")).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page.locator(".govuk-error-message")).to_have_count(0)
    expect(page).to_have_title("Find a child – ContactPoint")
    shoot("no-child-found")


def test_an_account_that_reads_records_needs_its_vetting_dates_named_beside_them(page: Page, shoot, system):
    admin = add_account(system, "la_admin", "la_contactpoint_team")
    page.goto("/")
    sign_in(page, admin)
    form = page.locator("#add-account-form")
    form.get_by_label("Username").fill(unique("unvetted"))
    form.get_by_label("Email address").fill("unvetted@example.org")
    form.get_by_label("Role").select_option("practitioner")
    form.get_by_label("Category").select_option("teacher")
    form.get_by_role("button", name="Add account").click()
    summary = page.get_by_role("alert")
    refusal = summary.get_by_role("link", name="A practitioner sees child records: give the date of their ContactPoint training")
    expect(refusal).to_be_visible()
    refusal.click()
    expect(form.get_by_label("ContactPoint training completed on")).to_be_focused()
    expect(form.get_by_label("Username")).not_to_have_class(re.compile("govuk-input--error"))
    shoot("vetting-refused")

    form.get_by_label("ContactPoint training completed on").fill("2026-01-05")
    form.get_by_label("Enhanced disclosure (DBS) checked on").fill("2026-01-05")
    form.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Account .* added$"))).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page).to_have_title("Accounts – ContactPoint")


def test_an_idle_session_is_warned_then_signed_out(page: Page, shoot, system):
    practitioner = add_account(system, "practitioner", "social_worker")
    page.clock.install()
    page.goto("/")
    idle = int(page.locator('meta[name="cp-idle-seconds"]').get_attribute("content"))
    sign_in(page, practitioner)
    expect(page.get_by_role("heading", name="Find a child")).to_be_visible()

    page.clock.fast_forward((idle - 119) * 1000)
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    shoot("timeout-warning")

    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.clock.fast_forward((idle + 1) * 1000)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You were signed out because you had not used ContactPoint")).to_be_visible()
    shoot("signed-out-when-idle")


def test_an_la_admin_adds_suspends_unlocks_and_resets_an_account(page: Page, shoot, system):
    admin = add_account(system, "la_admin", "la_contactpoint_team")
    newcomer = unique("newcomer")
    page.goto("/")
    sign_in(page, admin)
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()

    form = page.locator("#add-account-form")
    # Only what an LA administrator may give is offered: practitioners, never an operator's category.
    expect(form.get_by_label("Role").locator("option")).to_have_text(["Practitioner"])
    expect(form.get_by_label("Category").locator("option[value=la_contactpoint_team]")).to_have_count(0)
    # Sent empty, it is not sent: each field it needs says so.
    form.get_by_role("button", name="Add account").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter a username")
    expect(page.locator("#error-summary")).to_contain_text("Enter the holder’s email address")
    form.get_by_label("Username").fill(newcomer)
    form.get_by_label("Email address").fill(f"{newcomer}@example.org")
    form.get_by_label("Role").select_option("practitioner")
    form.get_by_label("Category").select_option("teacher")
    form.get_by_label("ContactPoint training completed on").fill("2026-01-05")
    form.get_by_label("Enhanced disclosure (DBS) checked on").fill("2026-01-05")
    form.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("heading", name=f"Account {newcomer} added")).to_be_visible()
    expect(page.locator("#credentials")).to_contain_text("the national operator must give its holder their link")
    expect(page.locator("#credentials")).not_to_contain_text("/enrol#")
    row = page.get_by_role("row").filter(has_text=newcomer)
    expect(row).to_contain_text("Enrolling")
    expect(row).to_contain_text("Teacher or school staff")
    expect(page.get_by_role("row").filter(has_text=admin.username)).to_contain_text("LA administrator")
    expect(page.get_by_role("row").filter(has_text=admin.username)).to_contain_text("LA ContactPoint team")
    shoot("account-added")

    row.get_by_role("button", name=f"Suspend {newcomer}").click()
    expect(row).to_contain_text("Suspended")
    row.get_by_role("button", name=f"Unlock {newcomer}").click()
    expect(row).to_contain_text("Enrolling")
    row.get_by_role("button", name=f"Reset 2FA {newcomer}").click()
    expect(page.get_by_role("heading", name=f"{newcomer} must set up their account again")).to_be_visible()
    shoot("second-factor-reset")

    row.get_by_role("button", name=f"Record vetting of {newcomer}").click()
    vetting = row.get_by_role("form", name=f"Vetting of {newcomer}")
    expect(vetting.get_by_label("ContactPoint training completed on")).to_be_focused()
    vetting.get_by_label("ContactPoint training completed on").fill("2026-02-10")
    shoot("vetting-being-recorded")
    vetting.get_by_role("button", name=f"Save vetting of {newcomer}").click()
    expect(page.get_by_text(f"Vetting of {newcomer} recorded.")).to_be_visible()
    expect(row).to_contain_text("10 February 2026")
    expect(row).to_contain_text("5 January 2026")
    shoot("vetting-recorded")


def test_a_holder_sets_up_their_account_from_their_link_once_and_signs_in(page: Page, shoot, system):
    created = system.cli("users", "add", "--username", unique("holder"), "--email", "holder@example.org", "--la", "E08000035",
                         "--category", "teacher", "--role", "practitioner", "--trained-on", "2026-01-05",
                         "--disclosure-on", "2026-01-05", "--json").json()
    page.goto(created["enrolment_url"].removeprefix(system.base_url))

    expect(page.get_by_role("heading", name="Set up your account")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your authenticator secret")).to_be_visible()
    assert "#" not in page.url  # the token leaves the address bar and the history
    secret = page.locator("#enrol-secret").inner_text().replace(" ", "")
    shoot("enrolment")
    form = page.locator("#enrol-form")
    form.get_by_label("Password", exact=True).fill("a passphrase of my own")
    form.get_by_label("Confirm password").fill("a passphrase of my own")
    form.get_by_label("One-time code").fill(code_of_the_step_before(secret))
    form.get_by_role("button", name="Set up my account").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your account is set up")).to_be_visible()
    sign_in(page, Account(created["username"], "a passphrase of my own", secret))
    expect(page.get_by_role("heading", name="Find a child")).to_be_visible()
    page.goto(created["enrolment_url"].removeprefix(system.base_url))
    expect(page.get_by_role("alert")).to_contain_text("This enrolment link is not valid")


def test_an_auditor_marks_an_alert_investigated(page: Page, shoot, system, published_child):
    outsider = add_account(system, "practitioner", "social_worker", la=OTHER_LA)
    reader = system.login(asdict(outsider))
    contactpoint_id = contactpoint_id_of(reader, published_child)
    assert reader.get(f"/api/v1/children/{contactpoint_id}", params={"purpose": "safeguarding"}).status_code == 200
    auditor = add_account(system, "auditor", "security")
    page.goto("/")
    sign_in(page, auditor)
    page.get_by_role("link", name="Alerts").click()
    filters = page.locator("#alerts-form")
    filters.get_by_label("Rule").select_option("outside_la")

    def alert_shown():
        filters.get_by_role("button", name="Show alerts").click()
        return page.locator(".govuk-summary-card", has_text=outsider.username).count() > 0

    wait_until(alert_shown, timeout=20, what="the outside-LA alert to be listed")
    group = page.get_by_role("region", name=re.compile("^A child outside the user’s LA: "))
    expect(group).to_have_count(1)
    expect(group).to_contain_text("a child outside the user's local authority", ignore_case=True)
    expect(group).not_to_contain_text("summary")
    expect(group.get_by_role("row").filter(has_text=outsider.username)).to_contain_text(contactpoint_id)
    expect(group.get_by_role("row").filter(has_text=outsider.username)).to_contain_text("Once")
    expect(group.get_by_role("textbox")).to_have_count(1)
    shoot("alerts")
    group.get_by_label("What did you find?").fill("Checked with the team: a cross-border referral.")
    group.get_by_role("button", name="Mark as investigated").click()
    expect(page.get_by_text("marked as investigated")).to_be_visible()
    filters.get_by_label("Status").select_option("investigated")
    filters.get_by_role("button", name="Show alerts").click()
    expect(page.get_by_role("row").filter(has_text=outsider.username)).to_contain_text("a cross-border referral")
    shoot("alert-investigated")


def test_a_practitioner_asks_for_a_record_an_approver_approves_it_and_the_practitioner_reads_it_once(page: Page, shoot, browser, system,
                                                                                                      published_child):
    practitioner, approver = add_account(system, "practitioner", "social_worker"), add_account(system, "approver", "la_contactpoint_team")
    reference = unique("ORDER")
    name = f"{' '.join(published_child.given_names)} {published_child.family_name}"
    # The practitioner's page stays signed in, in a context of its own, while the approver decides in another.
    asking = browser.new_context(base_url=system.base_url, viewport={"width": 1024, "height": 900})
    try:
        mine = asking.new_page()
        mine.set_default_timeout(STEP_TIMEOUT_MS)
        shoot_mine = ViewsReached(mine, shoot.folder.with_name(shoot.folder.name + "-practitioner"))
        mine.goto("/")
        sign_in(mine, practitioner)
        search_for(mine, published_child)
        mine.get_by_role("link", name=name).click()
        mine.get_by_role("button", name="Ask for this record to be disclosed").click()
        expect(mine.get_by_role("heading", name="Your disclosure requests", level=1)).to_be_visible()
        form = mine.locator("#request-disclosure-form")
        expect(form.get_by_label("ContactPoint ID")).not_to_have_value("")
        form.get_by_label("A court order").check()
        form.get_by_role("button", name="Ask for the record").click()
        summary = mine.get_by_role("alert")
        expect(summary.get_by_role("link", name="Enter the order’s or the case’s reference")).to_be_visible()
        shoot_mine("disclosure-request-refused")
        form.get_by_label("Reference").fill(reference)
        form.get_by_role("button", name="Ask for the record").click()
        expect(mine.get_by_text(f"Request {reference} sent.")).to_be_visible()
        expect(summary).to_be_hidden()
        expect(mine.locator(".govuk-error-message")).to_have_count(0)
        expect(mine.locator(".govuk-summary-card", has_text=reference)).to_contain_text("Waiting for a decision")
        shoot_mine("disclosure-requested")

        page.goto("/")
        sign_in(page, approver)
        page.get_by_role("link", name="Disclosure requests").click()
        request = page.locator(".govuk-summary-card", has_text=reference)
        expect(request).to_contain_text(f"About{name}, born")
        expect(request).to_contain_text(f"Court order, reference {reference}")
        expect(request).to_contain_text(practitioner.username)
        shoot("disclosure-requests")
        request.get_by_role("button", name=f"Approve request {reference}").click()
        expect(page.get_by_text(f"Request {reference} approved.")).to_be_visible()
        page.locator("#disclosures-form").get_by_label("Status").select_option("approved")
        page.locator("#disclosures-form").get_by_role("button", name="Show requests").click()
        expect(page.locator(".govuk-summary-card", has_text=reference)).to_contain_text("Approved")
        shoot("disclosure-approved")

        mine.get_by_role("banner").get_by_role("link", name="Disclosures").click()
        mine.locator(".govuk-summary-card", has_text=reference).get_by_role("button", name=f"Read the record of request {reference}").click()
        disclosed = mine.locator("#disclosed-record")
        expect(disclosed.get_by_role("heading", level=1)).to_have_text(name)
        expect(disclosed).to_contain_text(f"on request {reference}")
        expect(disclosed).to_contain_text("cannot be opened again")
        expect(mine.locator(".govuk-summary-card", has_text=reference)).to_contain_text("Read")
        expect(mine.get_by_role("button", name=f"Read the record of request {reference}")).to_have_count(0)
        shoot_mine("disclosed-record")
    finally:
        asking.close()
