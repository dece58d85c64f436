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

pytestmark = pytest.mark.e2e

CHILDREN = 200


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "demo", "--children", str(CHILDREN), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


def test_the_demo_prints_a_portal_and_accounts_that_log_in_and_find_a_seeded_child(demo):
    url = re.search(r"(http://127\.0\.0\.1:\d+/)", demo).group(1)
    accounts = {
        username: (password, secret)
        for username, password, secret in re.findall(r"^\s+(demo\.\w+)\s+password (\S+)\s+TOTP secret (\S+)$", demo, re.M)
    }
    assert set(accounts) == {"demo.practitioner", "demo.auditor", "demo.admin", "demo.approver"}

    password, secret = accounts["demo.practitioner"]
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/").status_code == 200
        login = client.post("/api/v1/auth/login", json={"username": "demo.practitioner", "password": password, "otp": pyotp.TOTP(secret).now()})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        child = next(islice(population(CHILDREN), 7, None))
        found = client.get("/api/v1/children/search", params={"identifier": child.nhs_number, "purpose": "wellbeing"})

    assert found.status_code == 200, found.text
    assert [(r["family_name"], r["date_of_birth"]) for r in found.json()["results"]] == [(child.family_name, child.date_of_birth.isoformat())]
