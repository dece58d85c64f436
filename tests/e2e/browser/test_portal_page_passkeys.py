"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain): the signed-in holder registers
one, signs in with password and passkey; the same passkey asked for from another origin gives nothing, and the
answer the browser sent, sent again, is refused."""
import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import STEP_TIMEOUT_MS, add_account

pytestmark = pytest.mark.e2e


def with_authenticator(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return context, page


def fill_sign_in(page, account, *, code: bool):
    form = page.locator("#sign-in-form")
    form.get_by_label("Username").fill(account.username)
    form.get_by_label("Password").fill(account.password)
    if code:
        form.get_by_label("One-time code").fill(account.one_time_code())
        form.get_by_role("button", name="Sign in", exact=True).click()
    else:
        form.get_by_role("button", name="Use a passkey instead of a code").click()


def test_a_passkey_registered_in_chromium_signs_in_and_is_neither_phishable_nor_replayable(browser, system):
    localhost = system.base_url.replace("127.0.0.1", "localhost")
    account = add_account(system, "practitioner", "social_worker")
    context, page = with_authenticator(browser, localhost)
    try:
        page.goto("/")
        fill_sign_in(page, account, code=True)
        expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {account.username}")
        page.goto("/#passkeys")
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.locator("#passkey-status")).to_contain_text("Passkey added")
        page.locator("#sign-out").click()

        with page.expect_request(lambda r: r.url.endswith("/auth/login") and "passkey" in (r.post_data or "")) as sent:
            fill_sign_in(page, account, code=False)
        expect(page.locator("#signed-in-as")).to_have_text(f"Signed in as {account.username}")

        replayed = httpx.post(f"{localhost}/api/v1/auth/login", content=sent.value.post_data,
                              headers={"Content-Type": "application/json"}, timeout=30)
        assert replayed.status_code == 401, replayed.text

        # Another origin (the same server under its address) cannot get an answer for this relying party at all.
        other = page.context.new_page()
        other.goto(system.base_url + "/")
        asked = other.evaluate("""async (username) => {
            const r = await fetch("/api/v1/auth/passkey-challenge", {method: "POST", headers: {"Content-Type": "application/json"},
                                                                       body: JSON.stringify({username})});
            const {options} = await r.json();
            try {
                await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
                return "answered";
            } catch (error) { return error.name; }
        }""", account.username)
        assert asked == "SecurityError"
    finally:
        context.close()
