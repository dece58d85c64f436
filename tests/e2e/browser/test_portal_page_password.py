"""Changing one's own password on the page: each mistake is shown and cleared by the next attempt, and the change
ends the session, after which only the new password signs in."""
import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Account, add_account
from tests.support import wait_until

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a-longer-passphrase-of-my-own"


class Authenticator:
    """The holder's app, used as identity allows: each time step's code is taken once, this step's or the next's (a step
    of drift), so a code waits only when both are taken; a refused attempt takes none."""

    def __init__(self, account: Account):
        self.totp, self.offered_step, self.taken_step = pyotp.TOTP(account.totp_secret), 0, 0

    def code(self) -> str:
        def untaken() -> int | None:
            now = int(time.time() // self.totp.interval)
            return next((step for step in (now, now + 1) if step > self.taken_step), None)

        self.offered_step = wait_until(untaken, timeout=self.totp.interval + 5, interval=0.5, what="a one-time code not taken")
        return self.totp.at(self.offered_step * self.totp.interval)

    def taken(self) -> None:
        self.taken_step = self.offered_step


def sign_in_with(page: Page, username: str, password: str, code: str) -> None:
    form = page.locator("#sign-in-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_label("One-time code").fill(code)
    form.get_by_role("button", name="Sign in").click()


def change_password(form, current: str, new: str, confirmation: str, code: str = "") -> None:
    form.get_by_label("Current password").fill(current)
    form.get_by_label("New password", exact=True).fill(new)
    form.get_by_label("Confirm new password").fill(confirmation)
    form.get_by_label("One-time code").fill(code)
    form.get_by_role("button", name="Change password").click()


def test_a_holder_changes_their_password_and_signs_in_with_the_new_one_only(page: Page, shoot, system):
    practitioner = add_account(system, "practitioner", "health_visitor")
    app = Authenticator(practitioner)
    page.goto("/")
    sign_in_with(page, practitioner.username, practitioner.password, app.code())
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {practitioner.username}")
    app.taken()

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    form, summary = page.locator("#password-form"), page.get_by_role("alert")
    change_password(form, practitioner.password, NEW_PASSWORD, NEW_PASSWORD + "!")
    expect(summary.get_by_role("link", name="The new passwords do not match")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter the 6-digit code from your authenticator app")).to_be_visible()
    expect(page).to_have_title("Error: Change your password – ContactPoint")
    shoot("passwords-do-not-match")

    change_password(form, "not-my-password", NEW_PASSWORD, NEW_PASSWORD, app.code())
    expect(summary.get_by_role("link", name="Your current password or the one-time code is not right")).to_be_visible()
    expect(summary.get_by_role("link", name="The new passwords do not match")).to_have_count(0)
    expect(form.get_by_label("Current password")).to_have_class(re.compile("govuk-input--error"))
    expect(form.get_by_label("Confirm new password")).not_to_have_class(re.compile("govuk-input--error"))
    shoot("current-password-refused")

    change_password(form, practitioner.password, NEW_PASSWORD, NEW_PASSWORD, app.code())
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    app.taken()
    expect(page.get_by_text("Your password has been changed. Sign in with your new password.")).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page).to_have_title("Sign in – ContactPoint")
    shoot("password-changed")

    sign_in_with(page, practitioner.username, practitioner.password, app.code())
    expect(summary).to_contain_text("not right")
    shoot("old-password-refused")
    sign_in_with(page, practitioner.username, NEW_PASSWORD, app.code())
    expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {practitioner.username}")
    expect(summary).to_be_hidden()
    shoot("signed-in-with-the-new-password")
