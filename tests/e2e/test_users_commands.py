"""``contactpoint users``: an operator suspends, unlocks and resets the second factor of any LA's account."""
import json
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import contactpoint
from tests.support import environment_for, unique

pytestmark = pytest.mark.e2e


def users(migrated, *args: str):
    return contactpoint("users", *args, env=environment_for(migrated))


@pytest.fixture
def account(migrated) -> dict:
    added = users(migrated, "add", "--username", unique("cli"), "--email", "holder@example.org", "--la", "E08000036", "--category", "teacher",
                  "--role", "practitioner", "--trained-on", "2026-01-01", "--disclosure-on", "2026-01-01", "--json")
    assert added.returncode == 0, added.stderr
    return json.loads(added.stdout)


def status_of(migrated, username: str) -> dict:
    listed = users(migrated, "list", "--la", "E08000036", "--json")
    return next(u for u in json.loads(listed.stdout) if u["username"] == username)


def test_add_prints_the_account_and_the_link_for_its_holder_alone_where_no_mail_is_set_up(migrated, account):
    assert (account["status"], account["enrolment_sent"]) == ("enrolling", False)
    assert urlsplit(account["enrolment_url"]).path == "/enrol" and len(urlsplit(account["enrolment_url"]).fragment) >= 40
    assert not {"password", "totp_secret", "otpauth_uri"} & set(account)


def test_suspend_then_unlock(migrated, account):
    suspended = users(migrated, "suspend", account["username"], "--reason", "left the school")

    assert suspended.returncode == 0, suspended.stderr
    assert suspended.stdout.strip() == f"{account['username']}: suspended (left the school)"
    assert status_of(migrated, account["username"])["status"] == "suspended"
    assert users(migrated, "unlock", account["username"]).returncode == 0
    assert status_of(migrated, account["username"])["status"] == "enrolling"  # never enrolled: it still waits for its holder


def test_reset_2fa_prints_a_new_link_in_place_of_the_old(migrated, account):
    reset = users(migrated, "reset-2fa", account["username"], "--json")

    assert reset.returncode == 0, reset.stderr
    printed = json.loads(reset.stdout)
    assert printed["enrolment_url"] != account["enrolment_url"] and printed["status"] == "enrolling"
    assert not {"password", "totp_secret", "otpauth_uri"} & set(printed)


@pytest.mark.parametrize("command", ["suspend", "unlock", "reset-2fa"])
def test_an_unknown_account_is_refused_in_one_line(migrated, command):
    finished = users(migrated, command, "no-such-account")

    assert finished.returncode != 0
    assert finished.stderr.strip().splitlines() == ["error: there is no account named 'no-such-account'"]
