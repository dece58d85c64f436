"""The whole system as an operator runs it: ``contactpoint up`` in its own processes, driven by the CLI and HTTP."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest

from contactpoint.sandbox import free_port
from tests.support import ENROLMENT_PATHS, enrol, environment_for, unique, wait_until

TODAY = time.strftime("%Y-%m-%d")

pytestmark = pytest.mark.e2e

COMMAND = [str(Path(sys.executable).with_name("contactpoint"))]


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout)


def contactpoint(*args: str, env: dict[str, str], input: str | None = None, timeout: float = 60) -> Finished:
    done = subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, input=input, timeout=timeout)
    return Finished(done.returncode, done.stdout, done.stderr)


@dataclass
class System:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen
    clients: list[httpx.Client] = field(default_factory=list)

    def cli(self, *args: str, input: str | None = None, **env: str) -> Finished:
        return contactpoint(*args, env={**self.env, **env}, input=input)

    def enrolled(self, created: dict) -> dict:
        """An account ``users add --json`` printed, enrolled through the portal from its link as its holder would."""
        def ask(request: str, body: dict) -> dict:
            answer = httpx.post(self.base_url + ENROLMENT_PATHS[request], json=body, timeout=10)
            assert answer.status_code == 200, answer.text
            return answer.json()

        enrolled = enrol(created["enrolment_url"], ask)
        return {**created, "password": enrolled.password, "totp_secret": enrolled.totp_secret}

    def add_account(self, role: str, category: str, la: str, *, vetted: bool = True) -> dict:
        """A new account of ``role`` made with ``users add``, and enrolled: ``username``, ``password``, ``totp_secret``, ..."""
        dates = ("--trained-on", TODAY, "--disclosure-on", TODAY) if vetted else ()
        created = self.cli("users", "add", "--username", unique(role.replace("_", "")), "--email", "holder@example.org", "--la", la,
                           "--category", category, "--role", role, *dates, "--json").json()
        return self.enrolled(created)

    def login(self, account: dict) -> httpx.Client:
        """A client holding the account's bearer token, logged in with password and a fresh TOTP code."""
        client = httpx.Client(base_url=self.base_url, timeout=10)
        self.clients.append(client)
        answer = client.post("/api/v1/auth/login", json={
            "username": account["username"], "password": account["password"], "otp": pyotp.TOTP(account["totp_secret"]).now(),
        })
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return client


STARTUP_SECONDS = 180


def portal_answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/api/openapi.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def system(migrated) -> Iterator[System]:
    port = free_port()
    # Passkeys are made for a host name, never an address: the browser tests that use them open the page as localhost.
    env = {**environment_for(migrated), "CP_HTTP_ADDR": f"127.0.0.1:{port}",
           "CP_WEBAUTHN_RP_ID": "localhost", "CP_WEBAUTHN_ORIGIN": f"http://localhost:{port}"}
    process = subprocess.Popen([*COMMAND, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    system = System(base_url, env, process)
    try:
        # Nine processes start, each importing its service: on a busy shared machine that has taken over 80 seconds.
        wait_until(lambda: process.poll() is not None or portal_answers(base_url), timeout=STARTUP_SECONDS, what="the portal to answer")
        assert process.poll() is None, process.stdout.read()
        yield system
    finally:
        for client in system.clients:
            client.close()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert process.returncode == 0, output
    assert "ContactPoint stopped" in output
