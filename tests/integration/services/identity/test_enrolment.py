"""Enrolment by the holder: an account an administrator makes is used only by whoever holds the link mailed to its
holder, who chooses the password and registers the authenticator; the link works once, for 72 hours, and is kept
only as a hash. Identity mails over a real SMTP server the test runs, and the test reads the letter from it."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select, update

from services.identity.models import User
from shared.contracts.requests import ADD_USER
from tests.integration.services.conftest import LA_CODE, Account
from tests.integration.services.identity.identity_support import identity, mail  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import a_fresh_code, an_address, bearer, identity_alone, log_in
from tests.support import MailServer, enrol, unique, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def services(migrated, mail):
    with identity_alone(replace(migrated, smtp_url=mail.url)) as running:
        yield running


def the_link_mailed_to(mail: MailServer, address: str) -> str:
    letter = wait_until(lambda: next((m for m in mail.letters if m["To"] == address), None), what=f"a letter to {address}")
    return re.search(r"(http\S+/enrol#\S+)", letter.get_content()).group(1)


def an_address_of_its_own() -> str:
    return f"{unique('holder')}@example.org"


def ask_over_http(http):
    paths = {"identity.open_enrolment": "/api/v1/enrolment", "identity.complete_enrolment": "/api/v1/enrolment/complete"}

    def ask(request: str, body: dict) -> dict:
        answer = http.post(paths[request], json=body)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    return ask


@pytest.fixture(scope="module")
def admin(identity, mail, http) -> str:
    """An la_admin the operator made, enrolled by its holder from the mailed link, and signed in."""
    email = an_address_of_its_own()
    made = identity.perform(ADD_USER, {"username": unique("la_admin"), "email": email, "la_code": LA_CODE,
                                       "category": "la_contactpoint_team", "role": "la_admin"})
    assert made["enrolment_sent"] is True and "enrolment_url" not in made
    enrolled = enrol(the_link_mailed_to(mail, email), ask_over_http(http))
    answer = log_in(http, Account(made["username"], enrolled.password, enrolled.totp_secret, "la_admin"), client=an_address())
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["access_token"]


def created_by_admin(http, admin: str, email: str) -> dict:
    answer = http.post("/api/v1/accounts", headers=bearer(admin), json={
        "username": unique("member"), "email": email, "category": "teacher", "role": "practitioner",
        "trained_on": datetime.now().date().isoformat(), "disclosure_on": datetime.now().date().isoformat(),
    })
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_an_account_an_admin_creates_is_usable_only_once_its_holder_enrols_from_the_mailed_link(http, admin, mail):
    email = an_address_of_its_own()
    created = created_by_admin(http, admin, email)

    assert (created["status"], created["enrolment_sent"]) == ("enrolling", True)
    assert not {"password", "totp_secret", "otpauth_uri", "enrolment_url"} & set(created)
    token = the_link_mailed_to(mail, email).split("#")[1]
    opened = http.post("/api/v1/enrolment", json={"token": token}).get_json()
    assert opened["username"] == created["username"] and opened["otpauth_uri"].startswith("otpauth://totp/ContactPoint:")
    assert opened["qr_svg"].startswith("<svg") and opened["totp_secret"] in opened["otpauth_uri"]
    holder = Account(created["username"], "a passphrase of my own", opened["totp_secret"], "practitioner")
    assert log_in(http, holder, client=an_address()).status_code == 401  # not enrolled yet: as a wrong password

    completed = http.post("/api/v1/enrolment/complete", json={"token": token, "password": holder.password,
                                                              "otp": a_fresh_code(holder.totp_secret)})

    assert completed.status_code == 200, completed.get_json()
    assert log_in(http, holder, client=an_address()).status_code == 200
    again = http.post("/api/v1/enrolment", json={"token": token})
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "enrolment_not_valid"
    replayed = http.post("/api/v1/enrolment/complete", json={"token": token, "password": "another passphrase", "otp": "123456"})
    assert replayed.status_code == 404


def test_a_weak_password_or_wrong_code_does_not_spend_the_link(http, admin, mail):
    email = an_address_of_its_own()
    created_by_admin(http, admin, email)
    token = the_link_mailed_to(mail, email).split("#")[1]
    secret = http.post("/api/v1/enrolment", json={"token": token}).get_json()["totp_secret"]

    weak = http.post("/api/v1/enrolment/complete", json={"token": token, "password": "password1234", "otp": pyotp.TOTP(secret).now()})
    wrong = http.post("/api/v1/enrolment/complete", json={"token": token, "password": "a passphrase of my own", "otp": "000000x"})

    assert weak.status_code == 400 and weak.get_json()["error"]["code"] == "weak_password"
    assert wrong.status_code == 400 and wrong.get_json()["error"] == {**wrong.get_json()["error"], "code": "wrong_code", "field": "otp"}
    done = http.post("/api/v1/enrolment/complete", json={"token": token, "password": "a passphrase of my own", "otp": a_fresh_code(secret)})
    assert done.status_code == 200, done.get_json()


def test_the_link_is_kept_only_as_a_hash_and_expires_after_72_hours(http, admin, mail, identity):
    email = an_address_of_its_own()
    created = created_by_admin(http, admin, email)
    token = the_link_mailed_to(mail, email).split("#")[1]
    with identity.db.sessions() as session:
        user = session.scalar(select(User).where(User.username == created["username"]))
        assert user.enrolment_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(vars(user))
        assert timedelta(hours=71, minutes=59) < user.enrolment_expires_at - datetime.now(timezone.utc) <= timedelta(hours=72)
        session.execute(update(User).where(User.id == user.id).values(enrolment_expires_at=datetime.now(timezone.utc)))
        session.commit()

    expired = http.post("/api/v1/enrolment", json={"token": token})

    assert expired.status_code == 404 and expired.get_json()["error"]["code"] == "enrolment_not_valid"


def test_a_reset_second_factor_mails_the_holder_a_new_link_and_the_old_factors_stop_working(http, admin, mail):
    email = an_address_of_its_own()
    created = created_by_admin(http, admin, email)
    first = enrol(the_link_mailed_to(mail, email), ask_over_http(http))
    mail.letters.clear()

    reset = http.post(f"/api/v1/accounts/{created['username']}/reset-2fa", headers=bearer(admin))

    assert reset.status_code == 200 and reset.get_json()["enrolment_sent"] is True
    holder = Account(created["username"], first.password, first.totp_secret, "practitioner")
    assert log_in(http, holder, client=an_address()).status_code == 401
    second = enrol(the_link_mailed_to(mail, email), ask_over_http(http))
    renewed = Account(created["username"], second.password, second.totp_secret, "practitioner")
    assert log_in(http, renewed, client=an_address()).status_code == 200
