"""``contactpoint demo`` with nothing but the package: it seeds, prints the portal and accounts, and they log in."""
import re
import signal
import subprocess
from itertools import islice

import httpx
import pyotp
import pytest

from contactpoint.synthetic import population
from tests.e2e.conftest import COMMAND
from contactpoint.sandbox import free_port
from tests.support import wait_until

pytestmark = pytest.mark.e2e

CHILDREN = 60


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "demo", "--children", str(CHILDREN), "--port", str(port)],
        cwd=tmp_path_factory.mktemp("demo"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    printed = []
    try:
        for line in process.stdout:
            printed.append(line)
            if "Ctrl-C stops the demo" in line:
                break
        assert process.poll() is None, "".join(printed) + process.stderr.read()
        yield "".join(printed)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def logged_in(client: httpx.Client, accounts: dict, username: str) -> httpx.Client:
    password, secret = accounts[username]
    login = client.post("/api/v1/auth/login", json={"username": username, "password": password, "otp": pyotp.TOTP(secret).now()})
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return client


def printed_accounts(demo: str) -> dict:
    return {
        username: (password, secret)
        for username, password, secret in re.findall(r"^\s+(demo\.\w+)\s+password (\S+)\s+TOTP secret (\S+)$", demo, re.M)
    }


@pytest.fixture(scope="module")
def practitioner(demo):
    """demo.practitioner, signed in once: a one-time code signs in only once."""
    with httpx.Client(base_url=re.search(r"(http://127\.0\.0\.1:\d+/)", demo).group(1), timeout=10) as client:
        yield logged_in(client, printed_accounts(demo), "demo.practitioner")


def test_the_demo_prints_a_portal_and_accounts_that_log_in_and_find_a_seeded_child(demo, practitioner):
    accounts = printed_accounts(demo)
    assert set(accounts) == {"demo.practitioner", "demo.auditor", "demo.admin", "demo.approver", "demo.visitor"}
    assert re.search(r"^\s+demo\.admin\s+LA administrator of E08000035$", demo, re.M)

    assert practitioner.get("/").status_code == 200
    child = next(islice(population(CHILDREN), 7, None))
    found = practitioner.get("/api/v1/children/search", params={"identifier": child.nhs_number, "purpose": "wellbeing"})

    assert found.status_code == 200, found.text
    assert [(r["family_name"], r["date_of_birth"]) for r in found.json()["results"]] == [(child.family_name, child.date_of_birth.isoformat())]


def test_each_printed_example_child_is_found_as_printed_and_its_record_opens_the_shielded_one_naming_the_la_team(demo, practitioner):
    examples = re.findall(r"^  (.+?): (NHS number [^ ]+|family name .+?)( \(shielded: .+\))?$", demo, re.M)
    assert len(examples) == 4, demo
    assert [bool(shielded) for _, _, shielded in examples] == [False, False, False, True]
    for name, typed, shielded in examples:
        criteria = {"purpose": "safeguarding"}
        for label, value in re.findall(r"(NHS number|family name|given name|postcode|date of birth) ([^,]+)", typed):
            if label == "date of birth":
                day, month, year = value.split()
                value = f"{year}-{int(month):02d}-{int(day):02d}"
            criteria[{"NHS number": "identifier"}.get(label, label.replace(" ", "_"))] = value
        found = practitioner.get("/api/v1/children/search", params=criteria)
        assert found.status_code == 200, found.text
        [result] = [r for r in found.json()["results"] if f"{' '.join(r['given_names'])} {r['family_name']}" == name]
        record = practitioner.get(f"/api/v1/children/{result['contactpoint_id']}", params={"purpose": "safeguarding"})
        assert record.status_code == 200, record.text
        assert record.json()["demographics"]["family_name"] == result["family_name"]
        if shielded:
            assert record.json()["shielded"] and record.json()["demographics"]["address"] is None
            assert record.json()["la_team"]["phone"] == "0113 496 0999"


def test_the_demo_leaves_a_match_to_review_a_disclosure_request_and_an_alert(demo):
    url = re.search(r"(http://127\.0\.0\.1:\d+/)", demo).group(1)
    accounts = printed_accounts(demo)
    with httpx.Client(base_url=url, timeout=10) as admin, httpx.Client(base_url=url, timeout=10) as approver, \
            httpx.Client(base_url=url, timeout=10) as auditor:
        tasks = logged_in(admin, accounts, "demo.admin").get("/api/v1/reviews").json()["tasks"]
        requests = logged_in(approver, accounts, "demo.approver").get("/api/v1/disclosures", params={"status": "pending"}).json()["requests"]
        logged_in(auditor, accounts, "demo.auditor")
        alerts = wait_until(lambda: auditor.get("/api/v1/audit/alerts", params={"rule": "outside_la"}).json()["alerts"],
                            timeout=20, what="the demo's alert")

    assert len(tasks) == 1
    assert [r["reference"] for r in requests] == ["DEMO-ORDER-1"]
    assert [a["actor"] for a in alerts] == ["demo.visitor"]
