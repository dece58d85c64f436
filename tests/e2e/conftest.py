"""The whole system as an operator runs it: ``contactpoint up`` in its own processes, driven by the CLI and HTTP."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest

from contactpoint.sandbox import free_port
from tests.support import environment_for, wait_until

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

    def cli(self, *args: str, **env: str) -> Finished:
        return contactpoint(*args, env={**self.env, **env})

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
        wait_until(lambda: process.poll() is not None or portal_answers(base_url), timeout=180, what="the portal to answer")
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
